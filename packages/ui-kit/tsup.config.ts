import { defineConfig } from 'tsup';

// Built for browsers: providers bundle the kit into their extension's ES module.
export default defineConfig({
  entry: ['src/index.ts', 'src/zod-without-eval.ts'],
  format: ['esm'],
  platform: 'browser',
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
