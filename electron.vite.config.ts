import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Our folders are not electron-vite's defaults (src/main, src/preload, src/renderer),
// so every entry is named here. Outputs stay at the defaults: out/main, out/preload,
// out/renderer (package.json "main" points at out/main/index.js).
export default defineConfig({
  main: {
    build: {
      outDir: resolve('out/main'),
      // Dependencies (conf, pidusage, tree-kill, electron-store…) stay external:
      // electron-vite's externalizeDeps is on by default for main.
      rollupOptions: {
        input: { index: resolve('src-main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve('out/preload'),
      // A sandboxed preload can require nothing but a few Electron modules, so it
      // is one self-contained CommonJS file: bundle every dependency into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-preload/index.ts') },
        output: {
          format: 'cjs',
          // .cjs because package.json says "type": "module".
          entryFileNames: '[name].cjs',
        },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: {
        input: { index: resolve('src-renderer/index.html') },
      },
    },
  },
});
