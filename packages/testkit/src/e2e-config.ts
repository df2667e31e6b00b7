/**
 * The vitest `test` options of a provider's end-to-end suite (its `vitest.e2e.config.ts`, turbo's
 * `test:e2e` task): the real Cluster API controllers, a platform simulator and the workload-cluster
 * simulator. Minutes, not seconds; the steps build on each other (one cluster created, scaled,
 * upgraded, deleted), so they run in order. Free of imports, so a config file can load it cheaply.
 */
export const e2eTestOptions = {
  include: ['test/e2e/**/*.e2e.ts'],
  globalSetup: ['test/e2e/global-setup.ts'],
  hookTimeout: 300_000,
  testTimeout: 1_500_000,
  sequence: { concurrent: false },
};
