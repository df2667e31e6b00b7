import { defineConfig } from 'tsup';

export default defineConfig({
  // The library (scaffoldProject, the command in-process) and the command; the project's files are
  // read from template/ at run time, which the package ships.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  clean: true,
  sourcemap: true,
  target: 'node22',
});
