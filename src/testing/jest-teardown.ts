// Jest's globalTeardown (`globalTeardown: 'krill/testing/jest-teardown'`): closes the run's broker.
import './jest-setup.js';

export default async function teardown(): Promise<void> {
  await globalThis.__krillTestClose?.();
  globalThis.__krillTestClose = undefined;
}
