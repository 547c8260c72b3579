// Builds the `corral` command and `corral/client` to plain JavaScript in out/cli/
// (`npm run build:cli`; part of `npm run build`, and of `npm install` through
// `prepare`). A Node (SSR) build: dependencies (ws, zod, conf…) stay external
// and load from node_modules. Flat output — no chunk folders — because the
// host finds the repository two levels up from its own file (out/cli/ like src-main/cli/).
// After the bundle, the declarations of `corral/client` go to out/client-types/ (client-types.mjs).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { emitClientTypes } from './client-types.mjs';

export default defineConfig({
  publicDir: false,
  plugins: [{ name: 'corral-client-types', apply: 'build', closeBundle: () => emitClientTypes().then(() => undefined) }],
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: resolve('out/cli'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: { corral: resolve('src-main/cli/main.ts'), client: resolve('src-main/client/index.ts') },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
});
