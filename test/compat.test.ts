// The compat/ scenarios: real third-party clients (kcat, librdkafka via confluent-kafka,
// kafka-python from Debian) against an in-process broker.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { startBroker } from '../src/index.js';
import { ROOT } from './helpers.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const dir = path.join(ROOT, 'compat');

const scenarios = fs.readdirSync(dir).filter((f) => /\.(py|sh)$/.test(f) && !f.startsWith('_')).sort();

for (const file of scenarios) {
  test.serial(`compat: ${file}`, async (t) => {
    const b = await startBroker({ port: 0 });
    t.teardown(() => b.close());
    const cmd = file.endsWith('.py') ? PYTHON : 'bash';
    try {
      const { stdout } = await run(cmd, [path.join(dir, file), b.bootstrap], { timeout: 120_000 });
      t.log(stdout.trim());
      t.regex(stdout, /^ok/m);
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      t.fail(`${file} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    }
  });
}
