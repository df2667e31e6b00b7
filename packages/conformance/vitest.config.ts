import { configDefaults, defineConfig } from 'vitest/config';

// The tests that need the real kube-apiserver of the global setup.
const platform = ['test/platform-checks.test.ts', 'test/command-platform.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'package',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...platform],
          // A guard against hangs, not a measure of speed: the command's tests start node and import
          // packages, which takes seconds while the rest of the test command shares the machine.
          testTimeout: 60_000,
        },
      },
      {
        // The platform checks run providers in the real manager against a real kube-apiserver.
        extends: true,
        test: {
          name: 'platform',
          include: platform,
          globalSetup: ['test/global-setup.ts'],
          hookTimeout: 120_000,
          testTimeout: 300_000,
        },
      },
    ],
  },
});
