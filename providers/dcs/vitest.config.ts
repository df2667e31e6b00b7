import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    hookTimeout: 120_000,
    testTimeout: 60_000,
    // How long expect.poll waits for the page to catch up (1 s by default): a bound on
    // waiting on a loaded CI machine, not a speed assertion.
    expect: { poll: { timeout: 30_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'dcs',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/fleet/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        // Fleet Essentials with the real Cluster API controllers: their admission and
        // conversion webhooks are cluster-wide (and the conversion stays pointed at them
        // after they stop), so these files get an API server of their own.
        extends: true,
        test: {
          name: 'fleet',
          include: ['test/fleet/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          hookTimeout: 300_000,
          testTimeout: 600_000,
        },
      },
    ],
  },
});
