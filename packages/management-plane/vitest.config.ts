import { defineConfig } from 'vitest/config';

// The plane's integration tests (a real API server, Cluster API's controllers, crash clean-up) run in
// packages/testkit, whose vitest setup starts the server; the ones here need no server.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
