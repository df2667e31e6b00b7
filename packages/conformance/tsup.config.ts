import { defineConfig } from 'tsup';

export default defineConfig({
  // The library, its vitest helper (a subpath, so the library never loads vitest), the command, and
  // the host process `machine.kills` starts (next to the library, which finds it there).
  entry: ['src/index.ts', 'src/vitest.ts', 'src/cli.ts', 'src/host-process.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/vitest.ts'] },
  clean: true,
  sourcemap: true,
  target: 'node22',
});
