import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Installs from a registry, builds and npm subprocesses: minutes on a cold cache, not seconds.
    hookTimeout: 600_000,
    testTimeout: 600_000,
    fileParallelism: false,
  },
});
