import { defineConfig } from 'vite';

/**
 * The guard-room console: `npm run build:console` (run by `prepare` on npm
 * install / npm ci) bundles it into src/console/dist, which the hub serves at `/`
 * (src/api/console.ts). Everything is local: the edge box may have no internet.
 */
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  // Preact's automatic JSX runtime, without Babel (@preact/preset-vite would add
  // Babel and HMR glue that a production build does not need).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No data: URIs, so the CSP can stay strict.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
