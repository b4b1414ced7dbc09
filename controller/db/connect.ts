import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import { isProcessAlive } from '../processes.js';
import { jsonFileShape, readJsonFile } from '../json-file.js';

/** Where the process that serves the embedded PostgreSQL says it is. */
const INFO_FILE = jsonFileShape<{ url: string; pid: number }>('the embedded PostgreSQL\'s url and pid', {
  type: 'object', properties: { url: { type: 'string' }, pid: { type: 'integer' } }, required: ['url', 'pid'],
});

export interface DatabaseHandle {
  url: string;
  embedded?: EmbeddedServer;
  close(): Promise<void>;
}

/**
 * DATABASE_URL when set. Otherwise the embedded PostgreSQL under the data directory:
 * joined when another process (a running controller) already serves it, started otherwise.
 * The serving process records its URL in `<dataDir>/postgres.json` so `tenantctl status`
 * in another shell reads the same database.
 */
export async function connectDatabase(options: { databaseUrl?: string; dataDir: string; log?: Logger }): Promise<DatabaseHandle> {
  if (options.databaseUrl) return { url: options.databaseUrl, close: async () => {} };
  const infoFile = join(options.dataDir, 'postgres.json');
  const info = await readJsonFile(infoFile, INFO_FILE);
  if (info) {
    if (isProcessAlive(info.pid) && (await answers(info.url))) return { url: info.url, close: async () => {} };
    await rm(infoFile, { force: true });
  }
  options.log?.info({ dataDir: options.dataDir }, 'starting embedded PostgreSQL (DATABASE_URL is not set)');
  const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, persistent: true });
  await writeFile(infoFile, JSON.stringify({ url: embedded.url, pid: process.pid }), { mode: 0o600 });
  return {
    url: embedded.url,
    embedded,
    async close() {
      await rm(infoFile, { force: true });
      await embedded.stop();
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
