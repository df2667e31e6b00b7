import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The demo starts a management plane, three Cluster API managers and, per cluster, a workload API server.
    hookTimeout: 300_000,
    testTimeout: 900_000,
    fileParallelism: false,
  },
});
