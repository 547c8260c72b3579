import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { devCsp, ensureDevNonce, PRODUCTION_CSP, withCspMeta } from './src-main/shared/content-security';

/**
 * Writes the policy into index.html's CSP meta tag: the production policy in a
 * build (the meta is what applies to the file:// page), the dev policy with
 * this session's nonce when served (a meta tag and main's header are both
 * enforced, so the meta must allow the nonce too). Fails the build or the page
 * when the tag is missing rather than serving a page without a policy.
 */
function contentSecurityMeta(policy: string): Plugin {
  return {
    name: 'corral:content-security-meta',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        const result = withCspMeta(html, policy);
        if (!result.ok) throw new Error(result.error);
        return result.html;
      },
    },
  };
}

// Our folders are not electron-vite's defaults (src/main, src/preload, src/renderer),
// so every entry is named here. Outputs stay at the defaults: out/main, out/preload,
// out/renderer (package.json "main" points at out/main/index.js).
export default defineConfig(({ command }) => {
  // `npm run dev` (serve): one nonce per electron-vite start, shared with the Electron process it spawns
  // (DEV_NONCE_ENV in its environment); Vite puts it on every script tag it serves, the inline
  // fast-refresh preamble of @vitejs/plugin-react included (html.cspNonce). Never in a build.
  const devNonce = command === 'serve' ? ensureDevNonce(process.env) : undefined;
  return {
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
      plugins: [react(), contentSecurityMeta(devNonce === undefined ? PRODUCTION_CSP : devCsp(devNonce))],
      ...(devNonce === undefined ? {} : { html: { cspNonce: devNonce } }),
      build: {
        outDir: resolve('out/renderer'),
        // electron-vite leaves the renderer unminified; minified it is a third of the bytes to parse before the
        // first paint (esbuild's minifier emits no eval, so the page still loads under script-src 'self').
        minify: 'esbuild',
        rollupOptions: {
          input: { index: resolve('src-renderer/index.html') },
        },
      },
    },
  };
});
