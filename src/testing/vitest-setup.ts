// Vitest's globalSetup (`globalSetup: ['krill/testing/vitest-setup']`): one broker for the
// run (a cluster with KRILL_TEST_BROKERS=3), its address in the environment the test
// workers inherit; closed when the run ends.
import { startForRun } from './index.js';

let close: (() => Promise<void>) | null = null;

export async function setup(): Promise<void> {
  close = await startForRun();
}

export async function teardown(): Promise<void> {
  await close?.();
  close = null;
}
