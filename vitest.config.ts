import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file runs in its own process with its own embedded PostgreSQL (roles are
    // cluster-wide). Against a shared server at DATABASE_URL, files run one at a time.
    pool: 'forks',
    fileParallelism: !process.env.DATABASE_URL,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
