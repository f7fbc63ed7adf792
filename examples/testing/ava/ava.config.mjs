// ava, a broker per test file: `npx ava --config examples/testing/ava/ava.config.mjs`
export default { files: ['examples/testing/ava/*.test.mjs'], workerThreads: false };
