/**
 * One-time onboarding links. A link's secret part is 256 random bits; only its SHA-256 is stored,
 * with the tenant, the provider, the expiry and, while a consent is in progress, the hashes of the
 * OAuth state and of the browser cookie and the PKCE verifier. A link is used once: the callback that
 * fills the secret marks it, in the same transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import type { Pool, PoolClient } from '../db/pool.js';

export const DEFAULT_LINK_TTL_MS = 72 * 3_600_000;
export const MAX_LINK_TTL_MS = 30 * 24 * 3_600_000;

export type LinkRefusal = 'unknown' | 'expired' | 'used';

export interface LinkRecord {
  linkHash: string;
  tenant: string;
  provider: IntegrationProviderName;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface ConsentInProgress extends LinkRecord {
  codeVerifier: string | null;
  browserHash: string | null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A link's secret part as it appears in a URL: 43 base64url characters. */
export const LINK_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function linkUrl(publicUrl: string, secret: string): string {
  return `${publicUrl}/connect/${secret}`;
}

/** Why a link cannot be used now, or undefined when it can. */
export function linkRefusal(link: LinkRecord | undefined, now: number): LinkRefusal | undefined {
  if (!link) return 'unknown';
  if (link.usedAt) return 'used';
  if (link.expiresAt.getTime() <= now) return 'expired';
  return undefined;
}

const COLUMNS = `link_hash AS "linkHash", tenant, provider, expires_at AS "expiresAt", used_at AS "usedAt"`;

export class LinkStore {
  constructor(private readonly pool: Pool, private readonly now: () => number) {}

  async create(input: { tenant: string; provider: IntegrationProviderName; ttlMs: number; createdBy: string }): Promise<{ secret: string; expiresAt: Date }> {
    const secret = newSecret();
    const expiresAt = new Date(this.now() + input.ttlMs);
    await this.pool.query(
      'INSERT INTO openclaw.onboarding_links (link_hash, tenant, provider, created_at, expires_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
      [sha256(secret), input.tenant, input.provider, new Date(this.now()), expiresAt, input.createdBy],
    );
    return { secret, expiresAt };
  }

  async find(secret: string): Promise<LinkRecord | undefined> {
    const { rows } = await this.pool.query<LinkRecord>(`SELECT ${COLUMNS} FROM openclaw.onboarding_links WHERE link_hash = $1`, [sha256(secret)]);
    return rows[0];
  }

  /** Starts a consent on a usable link (a new one replaces any earlier attempt): undefined when the link is not usable. */
  async begin(secret: string, consent: { state: string; codeVerifier: string; browser: string }): Promise<LinkRecord | undefined> {
    const { rows } = await this.pool.query<LinkRecord>(
      `UPDATE openclaw.onboarding_links SET state_hash = $2, code_verifier = $3, browser_hash = $4, started_at = $5
        WHERE link_hash = $1 AND used_at IS NULL AND expires_at > $5 RETURNING ${COLUMNS}`,
      [sha256(secret), sha256(consent.state), consent.codeVerifier, sha256(consent.browser), new Date(this.now())],
    );
    return rows[0];
  }

  /** The link whose consent carries this state, locked until the transaction ends. */
  async lockByState(client: PoolClient, state: string): Promise<ConsentInProgress | undefined> {
    const { rows } = await client.query<ConsentInProgress>(
      `SELECT ${COLUMNS}, code_verifier AS "codeVerifier", browser_hash AS "browserHash" FROM openclaw.onboarding_links WHERE state_hash = $1 FOR UPDATE`,
      [sha256(state)],
    );
    return rows[0];
  }

  /** A failed callback ends that consent: its state and verifier cannot be tried again. The link stays usable. */
  async abandon(client: PoolClient, linkHash: string): Promise<void> {
    await client.query('UPDATE openclaw.onboarding_links SET state_hash = NULL, code_verifier = NULL, browser_hash = NULL WHERE link_hash = $1', [linkHash]);
  }

  /** The link is spent; its state is kept so a replayed callback is recognised as such. */
  async markUsed(client: PoolClient, linkHash: string): Promise<void> {
    await client.query('UPDATE openclaw.onboarding_links SET used_at = $2, code_verifier = NULL, browser_hash = NULL WHERE link_hash = $1', [linkHash, new Date(this.now())]);
  }
}
