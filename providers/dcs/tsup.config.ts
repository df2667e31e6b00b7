import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * zod re-exports every language's error messages as `z.locales`, which the
 * extension never uses (zod registers English itself); left out, the bundle
 * is about half the size.
 */
const zodWithoutLocales: Plugin = {
  name: 'zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

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
    esbuildPlugins: [zodWithoutLocales],
  },
]);
