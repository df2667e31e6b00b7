import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node22',
  // The matrix ships inside the package so `iinfra compat check` works offline.
  onSuccess: async () => copyFileSync('../../compat-matrix.json', 'compat-matrix.json'),
});
