// Vitest's globalSetup (`globalSetup: ['krill/testing/vitest-setup']`): one broker for the
// run, its address in the environment the test workers inherit; closed when the run ends.
import type { RunningBroker } from '../index.js';
import { startTestBroker } from './index.js';

let broker: RunningBroker | null = null;

export async function setup(): Promise<void> {
  broker = await startTestBroker();
}

export async function teardown(): Promise<void> {
  await broker?.close();
  broker = null;
}
