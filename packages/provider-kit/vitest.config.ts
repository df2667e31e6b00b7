import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    hookTimeout: 120_000,
    testTimeout: 60_000,
    projects: [
      {
        // Pure logic, loopback HTTPS servers and the platform simulators: no API server needed.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/kube/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'kube',
          include: ['test/kube/**/*.test.ts'],
          globalSetup: ['test/kube/global-setup.ts'],
        },
      },
    ],
  },
});
