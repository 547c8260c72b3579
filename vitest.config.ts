import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Electron launch test needs the Electron binary: `npm run test:desktop` runs it (its own config).
    exclude: [...configDefaults.exclude, 'test/desktop-launch/**'],
    // Real processes and real signals: forks isolate each file's children.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // After the suite: fails the run if it left corral-* cgroups behind (issue 14).
    globalSetup: ['test/global-setup.ts'],
  },
});
