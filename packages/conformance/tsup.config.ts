import { defineConfig } from 'tsup';

export default defineConfig({
  // The library and the command.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  clean: true,
  sourcemap: true,
  target: 'node22',
});
