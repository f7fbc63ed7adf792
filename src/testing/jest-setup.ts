// Jest's globalSetup (`globalSetup: 'krill/testing/jest-setup'`): one broker for the run,
// its address in the environment every test worker inherits; jest-teardown closes it.
import type { RunningBroker } from '../index.js';
import { startTestBroker } from './index.js';

declare global {
  // Jest runs its global set-up and tear-down in one process: the broker waits here between them.
  var __krillTestBroker: RunningBroker | undefined;
}

export default async function setup(): Promise<void> {
  globalThis.__krillTestBroker = await startTestBroker();
}
