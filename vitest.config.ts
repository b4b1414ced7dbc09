import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file runs in its own process with its own embedded PostgreSQL (roles are
    // cluster-wide). Against a shared server at DATABASE_URL, files run one at a time.
    pool: 'forks',
    fileParallelism: !process.env.DATABASE_URL,
    // Most of a file's time is spent waiting on PostgreSQL, Chromium or child processes, so two
    // files at once pay off even on two cores (vitest's default there is one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
