import { defineConfig } from 'tsup';

export default defineConfig({
  // The library, its vitest helper (a subpath, so the library never loads vitest) and the command.
  entry: ['src/index.ts', 'src/vitest.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/vitest.ts'] },
  clean: true,
  sourcemap: true,
  target: 'node22',
});
