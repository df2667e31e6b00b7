import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // `iinfra env up` starts a real etcd and kube-apiserver (and on a cold machine may build them first).
    testTimeout: 20 * 60_000,
    hookTimeout: 60_000,
  },
});
