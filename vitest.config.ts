import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real processes and real signals: forks isolate each file's children.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
