/**
 * The state of each tenant's integrations as ops see it (table openclaw.integrations): connected or
 * not, the account, the scopes granted, when connected and last refreshed. Never a token: those are
 * only in the tenant's integration secret.
 */
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import type { Pool, PoolClient } from '../db/pool.js';

export type IntegrationState = 'Connected' | 'ReauthorizationRequired' | 'Disconnected';

export interface IntegrationRecord {
  tenant: string;
  provider: IntegrationProviderName;
  state: IntegrationState;
  account: string | null;
  scopes: string[];
  connectedAt: Date | null;
  lastRefreshAt: Date | null;
  expiresAt: Date | null;
  version: number;
  reason: string | null;
  updatedAt: Date;
}

const SELECT = `SELECT tenant, provider, state, account, scopes, connected_at AS "connectedAt", last_refresh_at AS "lastRefreshAt",
  expires_at AS "expiresAt", version, reason, updated_at AS "updatedAt" FROM openclaw.integrations`;

type Queryable = Pick<Pool | PoolClient, 'query'>;

export class IntegrationStore {
  constructor(private readonly pool: Pool) {}

  async list(tenant?: string): Promise<IntegrationRecord[]> {
    const { rows } = await this.pool.query<IntegrationRecord>(`${SELECT} WHERE ($1::text IS NULL OR tenant = $1) ORDER BY tenant, provider`, [tenant ?? null]);
    return rows;
  }

  async get(tenant: string, provider: IntegrationProviderName, db: Queryable = this.pool): Promise<IntegrationRecord | undefined> {
    const { rows } = await db.query<IntegrationRecord>(`${SELECT} WHERE tenant = $1 AND provider = $2`, [tenant, provider]);
    return rows[0];
  }

  /**
   * Connected integrations of Active tenants whose access token expires before `before`: what the refresher
   * renews. An offboarded tenant's access tokens are left to expire; its grants are revoked when it is purged.
   */
  async due(before: Date): Promise<Pick<IntegrationRecord, 'tenant' | 'provider'>[]> {
    const { rows } = await this.pool.query<Pick<IntegrationRecord, 'tenant' | 'provider'>>(
      `SELECT i.tenant, i.provider FROM openclaw.integrations i JOIN openclaw.tenants t ON t.name = i.tenant
        WHERE i.state = 'Connected' AND i.expires_at < $1 AND t.lifecycle = 'Active' ORDER BY i.expires_at`, [before],
    );
    return rows;
  }

  async save(db: Queryable, record: Omit<IntegrationRecord, 'reason' | 'updatedAt'> & { reason?: string | null }): Promise<void> {
    await db.query(
      `INSERT INTO openclaw.integrations (tenant, provider, state, account, scopes, connected_at, last_refresh_at, expires_at, version, reason, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       ON CONFLICT (tenant, provider) DO UPDATE SET state = EXCLUDED.state, account = EXCLUDED.account, scopes = EXCLUDED.scopes,
         connected_at = EXCLUDED.connected_at, last_refresh_at = EXCLUDED.last_refresh_at, expires_at = EXCLUDED.expires_at,
         version = EXCLUDED.version, reason = EXCLUDED.reason, updated_at = now()`,
      [record.tenant, record.provider, record.state, record.account, record.scopes, record.connectedAt, record.lastRefreshAt, record.expiresAt, record.version, record.reason ?? null],
    );
  }

  /**
   * A run found the integration's authorization refused: Connected → ReauthorizationRequired, unless it
   * was connected or renewed after `since` (the run's start), when the run's token was not the current one.
   * False when nothing changed.
   */
  async requireReauthorization(tenant: string, provider: IntegrationProviderName, reason: string, since: Date, db: Queryable = this.pool): Promise<boolean> {
    const result = await db.query(
      `UPDATE openclaw.integrations SET state = 'ReauthorizationRequired', reason = $3, updated_at = now()
        WHERE tenant = $1 AND provider = $2 AND state = 'Connected' AND COALESCE(GREATEST(connected_at, last_refresh_at) <= $4, true)`,
      [tenant, provider, reason, since],
    );
    return result.rowCount === 1;
  }

  async setState(db: Queryable, tenant: string, provider: IntegrationProviderName, state: IntegrationState, reason: string): Promise<void> {
    await db.query('UPDATE openclaw.integrations SET state = $3, reason = $4, updated_at = now() WHERE tenant = $1 AND provider = $2', [tenant, provider, state, reason]);
  }
}
