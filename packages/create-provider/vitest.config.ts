import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The generated project's own tests start a kube-apiserver and run the conformance suite.
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
