// Vitest, one broker for the run: `npx vitest run --config examples/testing/vitest/vitest.config.mjs`
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['examples/testing/vitest/*.test.mjs'], globalSetup: ['krill/testing/vitest-setup'] },
});
