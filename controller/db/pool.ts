import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { Logger } from 'pino';
import { connectWithFreshPassword, type PasswordSource, type ReconnectOptions } from '../../contract/db-credentials.js';
import { systemErrorCode } from '../../contract/errors.js';
import { isRecord } from '../../contract/json.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Statements that change the database; counted so tests and status can prove a no-op pass wrote nothing. */
const DML = /^\s*(insert|update|delete)\b/i;
const WRITE_STATEMENT = /^\s*(insert|update|delete|create|alter|drop|grant|revoke|comment|truncate|reassign|security label|set\s+role\s+none)\b/i;

/** Statements on session-private scratch objects (the policy deparse probe) change nothing shared. */
const SCRATCH = /^\s*create temporary|openclaw_policy_probe/i;

/** The statement's SQL without leading comments, so a migration file that opens with a comment still counts. */
export function statementText(query: unknown): string {
  const text = typeof query === 'string' ? query : isRecord(query) && typeof query.text === 'string' ? query.text : '';
  return text.replace(/^(\s*--[^\n]*\n)+/, '');
}

/** Rows a statement touched, from pg's result (a multi-statement query answers a list of results). */
function rowCountOf(result: unknown): number | null | undefined {
  if (Array.isArray(result)) return 1;
  return isRecord(result) && typeof result.rowCount === 'number' ? result.rowCount : undefined;
}

export interface StatementCounter {
  reads: number;
  writes: number;
  /** Writes to tenant resources, excluding the controller's own status bookkeeping. */
  resourceWrites: number;
  reset(): void;
}

export function createStatementCounter(): StatementCounter {
  return {
    reads: 0,
    writes: 0,
    resourceWrites: 0,
    reset() {
      this.reads = 0;
      this.writes = 0;
      this.resourceWrites = 0;
    },
  };
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/** A pool whose new connections take their password from a source, and retry once it is read again after a refusal. */
class CredentialedPool extends pg.Pool {
  constructor(url: string, config: pg.PoolConfig, private readonly source: PasswordSource, private readonly reconnect: ReconnectOptions) {
    // Parsed here, not passed as connectionString: pg lets the URL's (empty) password override a password function.
    const { password: _fromUrl, ...fromUrl } = parseIntoClientConfig(url);
    super({ ...config, ...fromUrl, password: () => source.password() });
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // pg-pool's own query() goes through here too, with a callback.
    const opened = connectWithFreshPassword(() => super.connect(), this.source, this.reconnect);
    if (!callback) return opened;
    opened.then(
      (client) => callback(undefined, client, (release) => client.release(release instanceof Error ? release : Boolean(release))),
      (error: Error) => callback(error, undefined, () => {}),
    );
  }
}

export interface PoolOptions {
  log?: Logger;
  counter?: StatementCounter;
  max?: number;
  applicationName?: string;
  beforeQuery?: (text: string) => void;
  /** Where new connections get their password (credentials.ts); absent, the URL's or PGPASSWORD. */
  password?: PasswordSource;
  reconnect?: ReconnectOptions;
  /** Every transaction read-only (`default_transaction_read_only`): what `tenantctl plan` uses, so a bug cannot write. */
  readOnly?: boolean;
}

/**
 * A pg pool whose queries are counted. Statements touching the controller's own schema
 * (`openclaw.`) count as writes but not as resource writes: status is bookkeeping.
 */
export function createPool(url: string, options: PoolOptions = {}): Pool {
  const config: pg.PoolConfig = {
    max: options.max ?? 10, application_name: options.applicationName ?? 'openclaw-controller',
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  };
  const pool = options.password
    ? new CredentialedPool(url, config, options.password, options.reconnect ?? {})
    : new pg.Pool({ ...config, connectionString: url });
  // The error of an idle client carries the whole client object; log only what helps.
  pool.on('error', (error) => options.log?.warn({ err: { message: error.message, code: systemErrorCode(error) } }, 'idle database connection failed'));
  const counter = options.counter;
  const beforeQuery = options.beforeQuery;
  if (counter || beforeQuery) {
    pool.on('connect', (client) => {
      const own = client.query;
      const original = (...args: unknown[]): unknown => Reflect.apply(own, client, args);
      // pg's query() has a dozen overloads; the wrapper takes them all as they come and is installed as the client's own property.
      const query = (...args: unknown[]): unknown => {
        const text = statementText(args[0]);
        // Fault injection seam for crash-safety tests; a throw here is a failed statement.
        if (beforeQuery) {
          try {
            beforeQuery(text);
          } catch (error) {
            const last = args[args.length - 1];
            if (typeof last === 'function') {
              queueMicrotask(() => last(error));
              return undefined;
            }
            return Promise.reject(error);
          }
        }
        if (!counter) return original(...args);
        if (WRITE_STATEMENT.test(text) && !SCRATCH.test(text)) {
          const bookkeeping = /\bopenclaw\./.test(text);
          const count = (rows: number | null | undefined) => {
            // DML that touched no row wrote nothing (conditional upserts); DDL and GRANT always write.
            if (DML.test(text) && !rows) return;
            counter.writes++;
            if (!bookkeeping) counter.resourceWrites++;
          };
          const last = args[args.length - 1];
          if (typeof last === 'function') {
            // Callback form (pg's Pool.query uses it).
            return original(...args.slice(0, -1), (error: unknown, result: unknown) => {
              if (!error) count(rowCountOf(result));
              last(error, result);
            });
          }
          const pending = original(...args);
          // A submittable (a cursor) comes back as itself, not as a promise: it is passed on uncounted.
          return pending instanceof Promise ? pending.then((r: unknown) => {
            count(rowCountOf(r));
            return r;
          }) : pending;
        }
        if (!/^\s*(begin|commit|rollback|set |select set_config|savepoint|release|reset)/i.test(text)) counter.reads++;
        return original(...args);
      };
      Object.defineProperty(client, 'query', { value: query, writable: true, configurable: true });
    });
  }
  return pool;
}

export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
