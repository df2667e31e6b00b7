import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // `iinfra env up` starts a real etcd and kube-apiserver (and on a cold machine may build them first).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
