import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The operator page (README: "The manager page"): plain TypeScript, built into dist/manager, which
// the server serves at /manager. Everything the page needs is in the bundle (no CDN, no web fonts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/manager/',
  // No public/ folder: every file the page loads comes out of the build with a hashed name.
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/manager', import.meta.url)),
    emptyOutDir: true,
    // An operator's page for current browsers: no legacy transforms to ship.
    target: 'es2022',
    // Inlined assets would be data: URLs; the CSP allows data: for images only (the QR code).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
