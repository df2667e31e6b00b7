import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The two faces every page uses (PatternFly's body and heading fonts) and its icon font are inlined
// into the stylesheet: they arrive with it, in one response, rather than as late font requests a
// navigation can cut off. Every other asset is a file under assets/; nothing comes from the network.
const INLINED = /(RedHatTextVF|RedHatDisplayVF|pf-v6-pficon)\.woff2$/;

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [react()],
  build: {
    outDir: '../dist/app',
    emptyOutDir: true,
    sourcemap: true,
    assetsInlineLimit: (file) => (INLINED.test(file) ? true : undefined),
    // PatternFly makes the one chunk larger than Vite's default warning size; it is loaded once.
    chunkSizeWarningLimit: 1024,
  },
});
