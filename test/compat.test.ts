// The compat/ scenarios: real third-party clients (kcat, librdkafka via confluent-kafka,
// kafka-python from Debian) against an in-process broker, and again against an in-process
// 3-broker cluster, where partitions and group coordinators are spread over brokers.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { startBroker, startCluster } from '../src/index.js';
import { ROOT } from './support/helpers.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const dir = path.join(ROOT, 'compat');

const scenarios = fs.readdirSync(dir).filter((f) => /\.(py|sh)$/.test(f) && !f.startsWith('_')).sort();

async function runScenario(t: ExecutionContext, file: string, bootstrap: string): Promise<void> {
  const cmd = file.endsWith('.py') ? PYTHON : 'bash';
  try {
    const { stdout } = await run(cmd, [path.join(dir, file), bootstrap], { timeout: 120_000 });
    t.log(stdout.trim());
    t.regex(stdout, /^ok/m);
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    t.fail(`${file} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

for (const file of scenarios) {
  test.serial(`compat: ${file}`, async (t) => {
    const b = await startBroker({ port: 0 });
    t.teardown(() => b.close());
    await runScenario(t, file, b.bootstrap);
  });
  test.serial(`compat on a 3-broker cluster: ${file}`, async (t) => {
    const c = await startCluster({ brokers: 3 });
    t.teardown(() => c.close());
    await runScenario(t, file, c.bootstrap);
  });
}
