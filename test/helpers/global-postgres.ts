/**
 * vitest globalSetup: one PostgreSQL server for the whole run (the one at
 * DATABASE_URL when set, else an embedded one); each test file gets its own
 * database from test/helpers/postgres.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../controller/db/embedded.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'openclaw-test-pg-'));
  const { chmod } = await import('node:fs/promises');
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir, persistent: false });
  project.provide('adminDatabaseUrl', server.url);
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
