// The Electron launch test only (`npm run test:desktop` through run.ts); the main
// vitest.config.ts excludes this folder.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/desktop-launch/**/*.test.ts'],
    pool: 'forks',
    // One Electron at a time: the app holds a single-instance lock.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
