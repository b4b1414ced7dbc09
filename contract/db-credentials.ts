/**
 * Where database connections get their password, for any pool. A pool asks its source for each new
 * connection; when the server refuses the password (SQLSTATE 28P01, after a rotation), the pool tells the
 * source, which reads its origin again, and the connection is retried. Connections already open are
 * untouched: PostgreSQL checks a password only when a session starts.
 */
import type { Logger } from 'pino';
import { ControllerError } from './errors.js';
import { realSleep } from './backoff.js';
import { isRecord } from './json.js';

/** The runtime database credentials of a tenant, as stored in its `…/db` secret (and given to a local run). */
export interface DbCredentials {
  username: string;
  password: string;
}

/**
 * The credentials in a `…/db` secret's JSON value, or what is wrong with it (to follow "the database
 * credentials"), never quoting the value: it holds a password.
 */
export function parseDbCredentials(text: string): { credentials: DbCredentials } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'are not JSON {"username","password"}' };
  }
  const username = isRecord(parsed) ? parsed.username : undefined;
  const password = isRecord(parsed) ? parsed.password : undefined;
  if (typeof username !== 'string' || typeof password !== 'string') return { problem: 'lack a username or a password' };
  return { credentials: { username, password } };
}

/** SQLSTATE invalid_password: PostgreSQL's answer to a wrong password (and RDS's, after a rotation). */
export const INVALID_PASSWORD = '28P01';

export interface PasswordSource {
  /** The password to open a connection with now. */
  password(): Promise<string>;
  /** The server refused the last password: the next `password()` reads the origin again. */
  refused(): void;
}

/** Reads the current password from where it is kept (a Secrets Manager secret, for RDS). */
export type PasswordReader = () => Promise<string>;

export interface ReadPasswordOptions {
  now?: () => number;
  /** Re-reads after a refusal are at least this far apart, so a wrong password cannot hammer the origin. */
  minRereadMs?: number;
  log?: Logger;
}

/**
 * A password read once, kept, and read again only after the server refused it. Concurrent connections
 * share one read. A failed read is not kept: the next connection tries again.
 */
export function readPasswordFrom(read: PasswordReader, options: ReadPasswordOptions = {}): PasswordSource {
  const now = options.now ?? Date.now;
  const minRereadMs = options.minRereadMs ?? 1_000;
  let current: Promise<string> | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let stale = false;
  const load = () => {
    readAt = now();
    stale = false;
    const pending = read().catch((cause: unknown) => {
      if (current === pending) current = undefined;
      throw new ControllerError('TRANSIENT', 'could not read the database password', { cause });
    });
    current = pending;
    return pending;
  };
  return {
    password() {
      if (!current || (stale && now() - readAt >= minRereadMs)) {
        if (current) options.log?.info({}, 'reading the database password again: the server refused the last one');
        return load();
      }
      return current;
    },
    refused() {
      stale = true;
    },
  };
}

/** Is this the server refusing the password? */
export function isPasswordRefused(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === INVALID_PASSWORD;
}

export interface ReconnectOptions {
  /** Connection attempts after a refused password, the first included. */
  attempts?: number;
  /** Waits between attempts: a rotation changes the database a moment before the secret, or after. */
  delayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Opens a connection with `connect`; when the password is refused, tells the source and tries again,
 * up to `attempts` times. Any other failure, or the last refusal, goes to the caller.
 */
export async function connectWithFreshPassword<T>(connect: () => Promise<T>, source: Pick<PasswordSource, 'refused'>, options: ReconnectOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const delayMs = options.delayMs ?? 1_000;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      if (!isPasswordRefused(error) || attempt >= attempts) throw error;
      source.refused();
      await sleep(delayMs * attempt);
    }
  }
}
