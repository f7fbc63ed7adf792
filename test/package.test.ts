// What `npm pack` gives installs in an empty folder and works there (issue 23): the
// library, krill/testing, the `krill` bin through npx, and a broker it starts.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { killedWithWorker } from './support/children.js';
import { ROOT, tempDir } from './support/helpers.js';

const run = promisify(execFile);

test('npm pack installs in an empty folder: import { startBroker } from \'krill\', krill/testing and npx krill start work', async (t) => {
  const dir = tempDir(t, 'package');
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, timeout: 120_000 });
  const tarball = path.join(dir, stdout.trim().split('\n').at(-1)!);
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, timeout: 300_000 });
  fs.writeFileSync(path.join(app, 'use.mjs'), `
    import { startBroker } from 'krill';
    import { namespace } from 'krill/testing';
    const b = await startBroker();
    const ok = b.bootstrap.startsWith('127.0.0.1:') && namespace('x')('y').endsWith('-y');
    await b.close();
    console.log(ok ? 'library ok' : 'library wrong');
  `);
  t.regex((await run(process.execPath, ['use.mjs'], { cwd: app, timeout: 60_000 })).stdout, /library ok/);
  // npx finds the installed bin (its usage line, exit 0); the broker is started from that bin
  // itself, so the process this test kills is the broker and not a launcher in front of it.
  t.regex((await run('npx', ['--no-install', 'krill'], { cwd: app, timeout: 60_000 })).stderr, /usage: krill start/);
  const bin = path.join(app, 'node_modules/krill/bin/krill');
  const proc = killedWithWorker(spawn(process.execPath, [bin, 'start', '--port', '0', '--data-dir', path.join(dir, 'data')], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] }));
  t.teardown(() => proc.kill('SIGKILL'));
  const ready = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`no ready line: ${log}`)), 60_000);
    proc.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /ready on (\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  t.regex(ready, /^127\.0\.0\.1:\d+$/);
});
