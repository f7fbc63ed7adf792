// KRILL_ADDONS chooses which optional native addons load (make bench's addons section runs
// Krill with each); it is read once, as the process starts, so each case is a child process.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { ROOT } from '../support/helpers.js';

const crcModule = path.join(ROOT, 'dist/src/protocol/records/crc32c.js');

/** Whether a process started with KRILL_ADDONS set to `addons` (unset: undefined) loads the crc32c addon. */
function loadsCrc32c(addons: string | undefined): boolean {
  const env = { ...process.env };
  delete env.KRILL_ADDONS;
  if (addons !== undefined) env.KRILL_ADDONS = addons;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(crcModule)}); console.log(m.nativeCrc32c !== null);`], { env, encoding: 'utf8' });
  return out.trim() === 'true';
}

test('KRILL_ADDONS=none loads no addon, and a list loads only what it names', (t) => {
  t.false(loadsCrc32c('none'));
  t.false(loadsCrc32c('some-other-addon'));
  // Where the addon was built (an x86-64 machine with a compiler), naming it loads it as leaving KRILL_ADDONS unset does.
  t.is(loadsCrc32c('some-other-addon,crc32c'), loadsCrc32c(undefined));
});
