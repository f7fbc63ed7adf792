// The README's test-runner examples (examples/testing/), run as a user runs them: each
// runner with krill/testing against real brokers, each example's tests must pass.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { ROOT } from './support/helpers.js';

const run = promisify(execFile);

const examples: Array<[string, string, string[], NodeJS.ProcessEnv?]> = [
  ['node:test, a broker per file', process.execPath, ['--test', 'examples/testing/node-test/']],
  ['ava, a broker per file', 'npx', ['ava', '--config', 'examples/testing/ava/ava.config.mjs']],
  ['Jest, one broker for the run', 'npx', ['jest', '--config', 'examples/testing/jest/jest.config.mjs'], { NODE_OPTIONS: '--experimental-vm-modules' }],
  ['Vitest, one broker for the run', 'npx', ['vitest', 'run', '--config', 'examples/testing/vitest/vitest.config.mjs']],
  ['Vitest, one 3-broker cluster for the run', 'npx', ['vitest', 'run', '--config', 'examples/testing/vitest/vitest.config.mjs'], { KRILL_TEST_BROKERS: '3' }],
];

for (const [name, cmd, args, env] of examples) {
  test(`examples/testing: ${name}`, async (t) => {
    const { stdout, stderr } = await run(cmd, args, { cwd: ROOT, timeout: 100_000, env: { ...process.env, ...env, CI: '1' } });
    const out = `${stdout}\n${stderr}`;
    t.notRegex(out, /\b[1-9]\d* (failed|fail)\b|✘/, out);
    t.regex(out, /pass|passed|✓/i, out);
  });
}
