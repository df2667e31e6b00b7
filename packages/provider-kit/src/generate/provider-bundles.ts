/**
 * A provider package's tsup builds, the same for every provider: its Node
 * entries (with types), and, when it has a UI extension, the extension as one
 * self-contained, minified browser ES module. Typed structurally, so the kit
 * needs neither tsup nor esbuild; `defineConfig(providerBundles(...))` takes it.
 */

interface ResolveArgs {
  importer: string;
}

/** The part of esbuild's plugin build API the plugin below uses. */
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: ResolveArgs) => { path: string; namespace: string } | undefined,
  ): void;
  onLoad(
    options: { filter: RegExp; namespace: string },
    callback: () => { contents: string; loader: 'js' },
  ): void;
}

/**
 * zod re-exports every language's error messages as `z.locales`, which an
 * extension never uses (zod registers English itself); left out, the bundle
 * is about half the size.
 */
export const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build: PluginBuild) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

export interface ProviderBundlesOptions {
  /** The Node entries (`src/index.ts`, `src/api/index.ts`, the platform proxy, ...). */
  entries: string[];
  /** The UI extension's browser entry, built to `dist/ui/extension.js`. */
  uiExtension?: string;
}

/**
 * The builds. Neither cleans `dist` (the package's build script empties it
 * once), so the two cannot remove each other's output.
 */
export function providerBundles(options: ProviderBundlesOptions) {
  const node = {
    entry: options.entries,
    format: ['esm' as const],
    dts: true,
    clean: false,
    sourcemap: true,
    target: 'node22',
  };
  if (!options.uiExtension) return [node];
  const browser = {
    entry: { 'ui/extension': options.uiExtension },
    format: ['esm' as const],
    platform: 'browser' as const,
    target: 'es2022',
    dts: false,
    clean: false,
    sourcemap: true,
    minify: true,
    splitting: false,
    // Everything bundled in: the extension shares nothing with the host but the anchor contract.
    noExternal: [/.*/],
    esbuildPlugins: [zodWithoutLocales],
  };
  return [node, browser];
}
