import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const outDir = new URL('../dist/app', import.meta.url).pathname;

/**
 * Brotli and gzip copies of every text file next to it (`<file>.br`, `<file>.gz`), made once at
 * build time at the best ratio, so the server sends the smallest the browser accepts without
 * compressing per request (what nginx's gzip_static and brotli_static do). Fonts are compressed already.
 */
function precompressed(): Plugin {
  const text = /\.(html|js|css|svg|map)$/;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  return {
    name: 'precompressed',
    apply: 'build',
    closeBundle() {
      for (const file of walk(outDir).filter((f) => text.test(f))) {
        const content = readFileSync(file);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

// The two faces every page uses (PatternFly's body and heading fonts) and its icon font are inlined
// into the stylesheet: they arrive with it, in one response, rather than as late font requests a
// navigation can cut off. Every other asset is a file under assets/; nothing comes from the network.
const INLINED = /(RedHatTextVF|RedHatDisplayVF|pf-v6-pficon)\.woff2$/;

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [react(), precompressed()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    assetsInlineLimit: (file) => (INLINED.test(file) ? true : undefined),
    // PatternFly makes the one chunk larger than Vite's default warning size; it is loaded once.
    chunkSizeWarningLimit: 1024,
  },
});
