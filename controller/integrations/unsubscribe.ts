/**
 * One-click unsubscribe (RFC 8058) for the digest's recipients. Each email carries
 * `List-Unsubscribe: <https://…/unsubscribe?token=…>, <mailto:…>` and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; the token names one tenant and one recipient,
 * signed with HMAC-SHA256 under a key only the controller holds (made once, kept in its schema), and
 * bound to this one purpose. A POST with a valid token records the opt-out; the scheduler then leaves
 * that recipient out of the tenant's runs. A forged or altered token changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { isRecord } from '../../contract/json.js';
import type { Pool } from '../db/pool.js';
import { UNSUBSCRIBE_PURPOSE as PURPOSE, unsubscribeBody } from '../../contract/unsubscribe.js';
import { signatureOf, verifyJson } from '../signed-json.js';

export interface OptOut {
  tenant: string;
  address: string;
}

/** The signature of one recipient's token (contract/unsubscribe.ts puts the token together). Pure. */
export function signUnsubscribe(key: Buffer, optOut: OptOut): string {
  return signatureOf(key, unsubscribeBody(optOut.tenant, optOut.address), PURPOSE);
}

/** The tenant and recipient a token was signed for, or undefined for anything not signed by `key` for this purpose. Pure. */
export function verifyUnsubscribe(key: Buffer, token: string): OptOut | undefined {
  const claims = verifyJson(key, token, PURPOSE);
  if (!isRecord(claims) || claims.p !== PURPOSE || typeof claims.t !== 'string' || typeof claims.a !== 'string') return undefined;
  return { tenant: claims.t, address: claims.a };
}

/** Where the links point: the public listener's one-click endpoint. */
export function unsubscribeEndpoint(publicUrl: string): string {
  return `${publicUrl}/unsubscribe`;
}

/** The opt-outs in the controller's schema, and the signing key. */
export class OptOuts {
  private key?: Promise<Buffer>;

  constructor(private readonly pool: Pool, private readonly now: () => number) {}

  /** The signing key: made by the first controller that needs it, the same for every replica after. */
  signingKey(): Promise<Buffer> {
    this.key ??= (async () => {
      await this.pool.query('INSERT INTO openclaw.signing_keys (purpose, key) VALUES ($1, $2) ON CONFLICT (purpose) DO NOTHING', [PURPOSE, randomBytes(32)]);
      const { rows } = await this.pool.query<{ key: Buffer }>('SELECT key FROM openclaw.signing_keys WHERE purpose = $1', [PURPOSE]);
      return rows[0].key;
    })().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  /** Records the opt-out a token carries; undefined (nothing written) when the token is not valid. */
  async accept(token: string): Promise<OptOut | undefined> {
    const optOut = verifyUnsubscribe(await this.signingKey(), token);
    if (!optOut) return undefined;
    await this.pool.query('INSERT INTO openclaw.email_opt_outs (tenant, address, opted_out_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [optOut.tenant, optOut.address, new Date(this.now())]);
    return optOut;
  }

  /** A run's recipients without those who opted out, each with the signature of its one-click link. */
  async recipients(tenant: string, recipients: readonly string[]): Promise<{ recipients: string[]; signatures: string[] }> {
    const { rows } = await this.pool.query<{ address: string }>('SELECT address FROM openclaw.email_opt_outs WHERE tenant = $1 AND address = ANY($2::text[])', [tenant, recipients.map((r) => r.toLowerCase())]);
    const out = new Set(rows.map((r) => r.address));
    const key = await this.signingKey();
    const kept = recipients.filter((r) => !out.has(r.toLowerCase()));
    return { recipients: kept, signatures: kept.map((r) => signUnsubscribe(key, { tenant, address: r })) };
  }
}
