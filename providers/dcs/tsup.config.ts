import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The Node entries, and the platform proxy Fleet Essentials imports server side.
    entry: ['src/index.ts', 'src/api/index.ts', 'src/cloud/index.ts', 'src/ui/platform-proxy.ts'],
    format: ['esm'],
    dts: true,
    // The build script empties dist once, so the two builds cannot remove each other's output.
    clean: false,
    sourcemap: true,
    target: 'node22',
  },
  {
    // The UI extension: one self-contained browser ES module (zod and the schemas included).
    entry: { 'ui/extension': 'src/ui/extension.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    dts: false,
    clean: false,
    sourcemap: true,
    minify: true,
    splitting: false,
    noExternal: [/.*/],
  },
]);
