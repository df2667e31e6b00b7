import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // The first run may build kube-apiserver from source before the first test starts.
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
