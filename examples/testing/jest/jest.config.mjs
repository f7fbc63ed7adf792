// Jest, one broker for the run: `NODE_OPTIONS=--experimental-vm-modules npx jest --config examples/testing/jest/jest.config.mjs`
export default {
  rootDir: '.',
  testMatch: ['<rootDir>/*.test.mjs'],
  transform: {},
  globalSetup: 'krill/testing/jest-setup',
  globalTeardown: 'krill/testing/jest-teardown',
};
