import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The first run builds helm and clusterctl from Go modules (minutes; cached afterwards).
    testTimeout: 60_000,
    hookTimeout: 20 * 60_000,
  },
});
