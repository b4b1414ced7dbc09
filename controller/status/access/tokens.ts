/**
 * API tokens for machines (CI, webhooks, scrapers): random, shown once, kept only as SHA-256.
 * A token can also be made from a secret held elsewhere (a CI secret), by hashing the value given.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '../../db/pool.js';
import type { OpsRole, Principal } from './principal.js';

export const TOKEN_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** What a token must look like: long enough that hashing without a salt is safe. */
export const TOKEN_VALUE = /^[A-Za-z0-9_\-.~+/=]{32,512}$/;

export interface ApiTokenInfo {
  name: string;
  role: OpsRole;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random token: `oc_` and 32 random bytes, base64url. */
export function generateToken(): string {
  return `oc_${randomBytes(32).toString('base64url')}`;
}

export class ApiTokens {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  /** Stores the hash of `token` under `name`; refuses a name or a token already in use. */
  async create(name: string, role: OpsRole, token: string, createdBy: string): Promise<'created' | 'name taken' | 'token taken'> {
    const { rows } = await this.pool.query<{ name: string }>(
      `INSERT INTO openclaw.api_tokens (name, token_hash, role, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING name`,
      [name, hashToken(token), role, createdBy],
    );
    if (rows.length > 0) return 'created';
    const taken = await this.pool.query('SELECT 1 FROM openclaw.api_tokens WHERE name = $1', [name]);
    return taken.rows.length > 0 ? 'name taken' : 'token taken';
  }

  async revoke(name: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM openclaw.api_tokens WHERE name = $1', [name]);
    return (rowCount ?? 0) > 0;
  }

  async list(): Promise<ApiTokenInfo[]> {
    const { rows } = await this.pool.query<{ name: string; role: OpsRole; created_by: string; created_at: Date; last_used_at: Date | null }>(
      'SELECT name, role, created_by, created_at, last_used_at FROM openclaw.api_tokens ORDER BY name',
    );
    return rows.map((r) => ({ name: r.name, role: r.role, createdBy: r.created_by, createdAt: r.created_at.toISOString(), lastUsedAt: r.last_used_at?.toISOString() ?? null }));
  }

  /** The principal a presented token stands for, or undefined; notes when it was last used (at most once a minute). */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!TOKEN_VALUE.test(token)) return undefined;
    const { rows } = await this.pool.query<{ name: string; role: OpsRole }>(
      `UPDATE openclaw.api_tokens SET last_used_at = now()
       WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
       RETURNING name, role`,
      [hashToken(token)],
    );
    const found = rows[0] ?? (await this.pool.query<{ name: string; role: OpsRole }>('SELECT name, role FROM openclaw.api_tokens WHERE token_hash = $1', [hashToken(token)])).rows[0];
    return found ? { subject: `token:${found.name}`, role: found.role, via: 'token' } : undefined;
  }
}
