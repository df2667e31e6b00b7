import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // How long expect.poll waits for the page to catch up (1 s by default): a bound on
    // waiting on a loaded CI machine, not a speed assertion.
    expect: { poll: { timeout: 30_000 } },
  },
});
