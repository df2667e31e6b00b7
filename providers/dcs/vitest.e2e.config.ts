import { defineConfig } from 'vitest/config';

// The end-to-end suite (turbo task test:e2e): the real Cluster API controllers, the
// DCS simulator and the workload-cluster simulator. Minutes, not seconds.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    hookTimeout: 300_000,
    testTimeout: 1_500_000,
    // The steps build on each other: one cluster created, scaled, upgraded, deleted.
    sequence: { concurrent: false },
  },
});
