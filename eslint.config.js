// ESLint flat config. Besides the recommended rules, `no-restricted-imports`
// enforces the layers of DESIGN.md: you can tell where code runs from its path,
// and the lint fails when an import crosses a line it must not.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electron = {
  paths: [{ name: 'electron', message: 'Only src-main/ipc/, src-main/desktop/ and src-main/index.ts may use Electron.' }],
  patterns: [{ group: ['electron/*'], message: 'Only src-main/ipc/, src-main/desktop/ and src-main/index.ts may use Electron.' }],
};

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'node_modules/', '.bench-tmp/', 'test-results/']),
  js.configs.recommended,
  tseslint.configs.recommended,

  {
    // Plain JavaScript here is Node: this file, test fixtures (tiny agent programs), scripts.
    name: 'corral/node-javascript',
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },

  {
    name: 'corral/layers/supervisor',
    files: ['src-main/supervisor/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine is plain Node: it never imports Electron.' }],
          patterns: [
            { group: ['electron/*'], message: 'The engine is plain Node: it never imports Electron.' },
            {
              regex: String.raw`^\.\.?/(?:.*/)?(?:ipc|web|api|desktop)(?:/|$)`,
              message: 'The engine does not know its hosts: api/, ipc/, web/ and desktop/ import the engine, not the reverse.',
            },
          ],
        },
      ],
    },
  },

  {
    name: 'corral/layers/main',
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/supervisor/**', 'src-main/ipc/**', 'src-main/desktop/**', 'src-main/index.ts'],
    rules: {
      'no-restricted-imports': ['error', electron],
    },
  },

  {
    // The desktop's decisions that are tested here without Electron (own or attach, the attached service,
    // signals, the app id): in desktop/ beside their Electron wiring, but plain Node.
    name: 'corral/layers/desktop-plain',
    files: ['src-main/desktop/open-engine.ts', 'src-main/desktop/attached-service.ts', 'src-main/desktop/desktop-signals.ts', 'src-main/desktop/app-id.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'This desktop module is plain Node (its tests run without Electron): take what Electron gives as a parameter.' }],
          patterns: [{ group: ['electron/*'], message: 'This desktop module is plain Node (its tests run without Electron).' }],
        },
      ],
    },
  },

  {
    // The typed client and the command are clients of a host: they reach the engine only through the
    // contract over the local socket. `cli/serve.ts` is the exception: it is the headless host.
    name: 'corral/layers/client-and-cli',
    files: ['src-main/client/**/*.ts', 'src-main/cli/**/*.ts'],
    ignores: ['src-main/cli/serve.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electron.paths,
          patterns: [
            ...electron.patterns,
            {
              regex: String.raw`^\.\.?/(?:.*/)?(?:supervisor|api|web|ipc|desktop)(?:/|$)|^\.\.?/(?:.*/)?local/socket-host$|^\.\.?/(?:.*/)?shutdown$`,
              message: 'corral/client and the corral command talk to a host through src-main/client (the contract over the local socket), never to the engine or a host directly; only cli/serve.ts starts one.',
            },
          ],
        },
      ],
    },
  },

  {
    // Code both the engine and the client use (the lock file's reader): the one place they may both import,
    // so it imports nothing but Node — no engine, no client, no zod (the corral command loads it on every run).
    name: 'corral/layers/shared',
    files: ['src-main/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!node:|\./[^/]+$)`,
              message: 'src-main/shared/ is imported by the engine and by corral/client alike: it imports only node:* and its own modules (./x).',
            },
          ],
        },
      ],
    },
  },

  {
    name: 'corral/layers/contract',
    files: ['src-preload/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Allowed: zod, and the contract's own modules as siblings (`./schemas`), never a path that leaves the folder.
              regex: String.raw`^(?!zod(?:/|$)|\./[^/]+$)`,
              message: 'The contract imports nothing but zod and its own modules (./x): main, preload, renderer and web host all load it.',
            },
          ],
        },
      ],
    },
  },

  {
    // The sandboxed preload bundles every value it imports: only the zod-free channel names may come in as values
    // (types are erased), or zod and every schema would be back in the bundle (190 kB instead of ~2 kB).
    name: 'corral/layers/preload',
    files: ['src-preload/index.ts', 'src-preload/contract/channels.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!electron$|\./contract/channels$)`,
              allowTypeImports: true,
              message: 'The preload imports values only from electron and contract/channels (zod-free); import the rest as types.',
            },
          ],
        },
      ],
    },
  },

  {
    name: 'corral/layers/renderer',
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer reaches main only through window.corral.' },
            ...builtinModules.map((name) => ({ name, message: 'The renderer never sees Node.' })),
          ],
          patterns: [
            { group: ['electron/*'], message: 'The renderer reaches main only through window.corral.' },
            { group: ['node:*'], message: 'The renderer never sees Node.' },
            {
              regex: String.raw`(?:^|/)src-main(?:/|$)`,
              message: 'The renderer imports types from src-preload/contract, never from src-main.',
            },
          ],
        },
      ],
    },
  },
);
