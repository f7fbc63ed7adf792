// Jest's globalSetup (`globalSetup: 'krill/testing/jest-setup'`): one broker for the run
// (a cluster with KRILL_TEST_BROKERS=3), its address in the environment every test worker
// inherits; jest-teardown closes it.
import { startForRun } from './index.js';

declare global {
  // Jest runs its global set-up and tear-down in one process: the close waits here between them.
  var __krillTestClose: (() => Promise<void>) | undefined;
}

export default async function setup(): Promise<void> {
  globalThis.__krillTestClose = await startForRun();
}
