import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // The first run builds helm and clusterctl from Go modules (minutes; cached afterwards).
    hookTimeout: 20 * 60_000,
  },
});
