import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Builds crane from Go modules on a cold cache, publishes the workspace to a local verdaccio and
    // installs from it: minutes, not seconds.
    hookTimeout: 900_000,
    testTimeout: 300_000,
    fileParallelism: false,
  },
});
