/**
 * The token lifecycle of a tenant's integration: write a new connection into its secret, renew the
 * access token before it expires (writing back a rotated refresh token), mark it
 * ReauthorizationRequired when the provider answers invalid_grant, revoke and empty it on disconnect.
 * Where the tokens live follows the tenant's model (vault.ts): a secret per integration (silo) or one
 * document for all of them (pool).
 *
 * Every write of one tenant's integrations happens under a PostgreSQL advisory lock on the tenant,
 * held for the transaction: two refreshers (replicas, or the refresher and a callback) never both spend
 * the same refresh token, two connects never both rewrite the pooled document from the same read, and a
 * tier change's move of the tokens waits for them (and they for it).
 */
import type { Logger } from 'pino';
import {
  isConnected,
  type ConnectedIntegration, type IntegrationProviderName, type IntegrationSecretValue,
} from '../../contract/integration-secret.js';
import type { Pool, PoolClient } from '../db/pool.js';
import { ControllerError, errorMessage } from '../../contract/errors.js';
import type { SecretsApi } from '../providers/types.js';
import type { EventRecord, StatusStore } from '../status/store.js';
import { OAuthError, type OAuthClient, type TokenSet } from './oauth-client.js';
import type { IntegrationStore } from './store.js';
import { integrationLock, IntegrationVault, lockIntegrations, type Placement } from '../resources/secrets/vault.js';

/** Renew an access token when less than this is left. */
export const REFRESH_AHEAD_MS = 10 * 60_000;

export interface KeeperDeps {
  pool: Pool;
  secrets: SecretsApi;
  secretsPrefix: string;
  /** Days an emptied pooled secret stays restorable (7 when unset). */
  recoveryWindowDays?: number;
  /** The tenant's applied desired state: its model and tags. */
  status: Pick<StatusStore, 'tenantRecords'>;
  clients: ReadonlyMap<IntegrationProviderName, OAuthClient>;
  store: IntegrationStore;
  events: { recordEvents(events: EventRecord[]): Promise<void> };
  log: Logger;
  now: () => number;
}

export type RefreshOutcome = 'refreshed' | 'fresh' | 'not-connected' | 'reauthorization-required';
export type Revocation = 'revoked' | 'unsupported' | 'not-needed';

export class TokenKeeper {
  private readonly vault: IntegrationVault;

  constructor(private readonly deps: KeeperDeps) {
    this.vault = new IntegrationVault({ secrets: deps.secrets, secretsPrefix: deps.secretsPrefix, recoveryWindowDays: deps.recoveryWindowDays ?? 7, now: deps.now });
  }

  client(provider: IntegrationProviderName): OAuthClient {
    const client = this.deps.clients.get(provider);
    if (!client) throw new ControllerError('CONFIG_INVALID', `${provider} is not configured: set OPENCLAW_${provider.toUpperCase()}_CLIENT_ID and its client secret`);
    return client;
  }

  hasClient(provider: IntegrationProviderName): boolean {
    return this.deps.clients.has(provider);
  }

  /** Takes the tenant's integration lock until the end of `db`'s transaction. */
  async lock(db: PoolClient, tenant: string): Promise<void> {
    await lockIntegrations(db, tenant);
  }

  /** Runs `fn` in a transaction holding the tenant's integration lock. */
  withLock<T>(tenant: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return integrationLock(this.deps.pool)(tenant, fn);
  }

  /** Where the tenant's tokens belong: the model and tags of its applied desired state. */
  private async placement(tenant: string): Promise<Placement> {
    const [record] = await this.deps.status.tenantRecords(tenant);
    if (!record) throw new ControllerError('CONFLICT', `tenant ${tenant} has not been applied yet`);
    return { isolation: record.desired.isolation, tags: record.desired.tags };
  }

  /** The integration's current value (a placeholder, or a value someone else wrote, reads as none). */
  async read(tenant: string, provider: IntegrationProviderName): Promise<IntegrationSecretValue | undefined> {
    return this.vault.current(tenant, provider);
  }

  /** Inside withLock: writes a new connection (the consent flow only). */
  async connect(client: PoolClient, tenant: string, provider: IntegrationProviderName, tokens: TokenSet, identity: { account: string; scopes: string[] }): Promise<ConnectedIntegration> {
    if (!tokens.refreshToken) throw new OAuthError('NoRefreshToken', `the provider issued no refresh token, so the connection could not outlive the access token`);
    const placement = await this.placement(tenant);
    const current = await this.read(tenant, provider);
    const now = new Date(this.deps.now()).toISOString();
    const value: ConnectedIntegration = {
      provider, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt.toISOString(),
      scopes: identity.scopes, account: identity.account, connectedAt: now, lastRefreshAt: null, version: (current?.version ?? 0) + 1,
    };
    await this.vault.write(tenant, placement, value);
    await this.deps.store.save(client, { tenant, provider, state: 'Connected', account: value.account, scopes: value.scopes, connectedAt: new Date(now), lastRefreshAt: null, expiresAt: tokens.expiresAt, version: value.version, reason: null });
    await this.deps.events.recordEvents([{ type: 'Normal', reason: 'IntegrationConnected', tenant, resource: `integration/${provider}`, message: `${provider} connected for account ${value.account}, scopes ${value.scopes.join(' ')}` }]);
    return value;
  }

  /** Renews the access token when it expires within REFRESH_AHEAD_MS (or always, with `force`). */
  async refresh(tenant: string, provider: IntegrationProviderName, options: { force?: boolean } = {}): Promise<RefreshOutcome> {
    const log = this.deps.log.child({ tenant, integration: provider });
    return this.withLock(tenant, async (db) => {
      const current = await this.read(tenant, provider);
      if (!isConnected(current)) return 'not-connected';
      if (!options.force && Date.parse(current.expiresAt) - this.deps.now() > REFRESH_AHEAD_MS) return 'fresh';
      let tokens: TokenSet;
      try {
        tokens = await this.client(provider).refresh(current.refreshToken);
      } catch (error) {
        if (error instanceof OAuthError && error.reason === 'InvalidGrant') {
          const reason = `${provider} refused the refresh token (${error.message}): the customer must connect again`;
          await this.deps.store.setState(db, tenant, provider, 'ReauthorizationRequired', reason);
          await this.deps.events.recordEvents([{ type: 'Warning', reason: 'ReauthorizationRequired', tenant, resource: `integration/${provider}`, message: reason }]);
          log.warn({ reason: error.reason }, 'integration needs a new consent');
          return 'reauthorization-required';
        }
        throw error;
      }
      const now = new Date(this.deps.now());
      const next: ConnectedIntegration = {
        ...current,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? current.refreshToken,
        expiresAt: tokens.expiresAt.toISOString(),
        scopes: tokens.scopes ?? current.scopes,
        lastRefreshAt: now.toISOString(),
        version: current.version + 1,
      };
      await this.vault.write(tenant, await this.placement(tenant), next);
      await this.deps.store.save(db, { tenant, provider, state: 'Connected', account: next.account, scopes: next.scopes, connectedAt: new Date(next.connectedAt), lastRefreshAt: now, expiresAt: tokens.expiresAt, version: next.version });
      log.info({ version: next.version, rotated: tokens.refreshToken !== undefined }, 'access token renewed');
      return 'refreshed';
    });
  }

  /** One sweep of the refresher: every connected integration of an Active tenant about to expire. Failures are logged, and retried next sweep. */
  async refreshDue(): Promise<Record<RefreshOutcome | 'failed', number>> {
    const counts = { refreshed: 0, fresh: 0, 'not-connected': 0, 'reauthorization-required': 0, failed: 0 };
    for (const { tenant, provider } of await this.deps.store.due(new Date(this.deps.now() + REFRESH_AHEAD_MS))) {
      try {
        counts[await this.refresh(tenant, provider)] += 1;
      } catch (error) {
        counts.failed += 1;
        this.deps.log.warn({ tenant, integration: provider, error: safeError(error) }, 'could not renew the access token; retrying at the next sweep');
      }
    }
    return counts;
  }

  /** Revokes at the provider (where it can) and empties the secret, keeping its version (pool: removes it from the document, and deletes the secret with the last one). */
  async disconnect(tenant: string, provider: IntegrationProviderName): Promise<{ wasConnected: boolean; revocation: Revocation }> {
    return this.withLock(tenant, async (db) => {
      const current = await this.read(tenant, provider);
      const revocation = await this.revoke(provider, current);
      const disconnectedAt = new Date(this.deps.now()).toISOString();
      if (current) {
        await this.vault.write(tenant, await this.placement(tenant), { provider, disconnectedAt, version: current.version + 1 });
      }
      await this.recordDisconnected(db, tenant, provider, current, revocation, `disconnected at ${disconnectedAt}`);
      return { wasConnected: isConnected(current), revocation };
    });
  }

  /**
   * Before the secrets module deletes an integration's secret (a purge, or an integration dropped under the
   * Delete policy): revokes the grant at the provider as disconnect does, leaving the secret to its deletion.
   * Once per grant: an integration no longer Connected is left alone.
   */
  async revokeBeforeDeletion(tenant: string, provider: IntegrationProviderName): Promise<Revocation> {
    return this.withLock(tenant, async (db) => {
      if ((await this.deps.store.get(tenant, provider, db))?.state !== 'Connected') return 'not-needed';
      const current = await this.read(tenant, provider);
      const revocation = await this.revoke(provider, current);
      await this.recordDisconnected(db, tenant, provider, current, revocation, `revoked at ${new Date(this.deps.now()).toISOString()}: its secret is deleted`);
      return revocation;
    });
  }

  /** Revokes the value's refresh token at the provider, where it can. */
  private async revoke(provider: IntegrationProviderName, current: IntegrationSecretValue | undefined): Promise<Revocation> {
    return isConnected(current) ? this.client(provider).revoke(current.refreshToken) : 'not-needed';
  }

  private async recordDisconnected(db: PoolClient, tenant: string, provider: IntegrationProviderName, current: IntegrationSecretValue | undefined, revocation: Revocation, reason: string): Promise<void> {
    await this.deps.store.save(db, { tenant, provider, state: 'Disconnected', account: null, scopes: [], connectedAt: null, lastRefreshAt: null, expiresAt: null, version: (current?.version ?? 0) + (current ? 1 : 0), reason });
    await this.deps.events.recordEvents([{ type: 'Normal', reason: 'IntegrationDisconnected', tenant, resource: `integration/${provider}`, message: `${provider} disconnected (token ${revocation === 'revoked' ? 'revoked at the provider' : revocation === 'unsupported' ? 'not revocable at the provider; removed from the secret' : 'none to revoke'})` }]);
  }
}

/**
 * An error as it may be logged: message, code and reason only. The OAuth library keeps the provider's
 * answer as an error's cause, and a malformed success answer would carry tokens.
 */
export function safeError(error: unknown): { message: string; code?: string; reason?: string } {
  return {
    message: errorMessage(error),
    ...(error instanceof ControllerError ? { code: error.code } : {}),
    ...(error instanceof OAuthError ? { reason: error.reason } : {}),
  };
}
