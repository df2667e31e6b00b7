import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One kube-apiserver and etcd for the run; test files isolate by namespace.
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 120_000,
    testTimeout: 120_000,
  },
});
