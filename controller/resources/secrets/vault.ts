/**
 * Where a tenant's integration tokens are kept, in either isolation model: a secret per integration
 * (silo: placeholders the secrets module creates, filled here) or one JSON document of them all (pool:
 * created by the first connect, deleted with the last disconnect). A read looks in both places and takes
 * the newer value (higher version; a connected one on a tie), so a write made while a tier change is
 * moving the tokens is never lost; `move` folds the silo secrets into the document or spreads it out
 * again, and is safe to run again after a cut at any step.
 *
 * Every caller holds the tenant's integration lock (`integrationLock`) for the whole read and write.
 */
import type { Isolation } from '../../../contract/catalog.js';
import { ControllerError } from '../../../contract/errors.js';
import {
  INTEGRATION_PROVIDERS, isConnected, parseIntegrationSecret, parsePooledIntegrations, serializeIntegrationSecret,
  type IntegrationProviderName, type IntegrationSecretValue, type PooledIntegrations,
} from '../../../contract/integration-secret.js';
import { names } from '../../../contract/names.js';
import { withTransaction, type Pool, type PoolClient } from '../../db/pool.js';
import type { SecretRecord, SecretsApi } from '../../providers/types.js';
import { isManaged, notOwnedMessage } from '../ownership.js';

/** Runs `fn` holding the tenant's integration lock (a transaction-scoped advisory lock) until it returns. */
export type IntegrationLock = <T>(tenant: string, fn: (db: PoolClient) => Promise<T>) => Promise<T>;

/** Takes the tenant's integration lock until the end of `db`'s transaction. */
export async function lockIntegrations(db: Pick<PoolClient, 'query'>, tenant: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', ['openclaw:integration', tenant]);
}

export function integrationLock(pool: Pool): IntegrationLock {
  return (tenant, fn) => withTransaction(pool, async (db) => {
    await lockIntegrations(db, tenant);
    return fn(db);
  });
}

/** Where the tenant's tokens belong now: its model and the tags a secret it gets carries. */
export interface Placement {
  isolation: Isolation;
  tags: Record<string, string>;
}

export interface VaultDeps {
  secrets: SecretsApi;
  secretsPrefix: string;
  /** Days an emptied pooled secret stays restorable (Secrets Manager allows 7–30). */
  recoveryWindowDays: number;
  now: () => number;
}

/** The newer of two values of one integration: the higher version, a connected one on a tie. */
export function newerValue(a: IntegrationSecretValue | undefined, b: IntegrationSecretValue | undefined): IntegrationSecretValue | undefined {
  if (!a || !b) return a ?? b;
  if (a.version !== b.version) return a.version > b.version ? a : b;
  return isConnected(a) ? a : b;
}

export class IntegrationVault {
  constructor(private readonly deps: VaultDeps) {}

  siloName(tenant: string, provider: IntegrationProviderName): string {
    return names.integrationSecret(this.deps.secretsPrefix, tenant, provider);
  }

  pooledName(tenant: string): string {
    return names.pooledSecret(this.deps.secretsPrefix, tenant);
  }

  /** The tenant's secrets by name: one listing of its own folder. */
  private async records(tenant: string): Promise<Map<string, SecretRecord>> {
    return new Map((await this.deps.secrets.list(names.secretsPath(this.deps.secretsPrefix, tenant))).map((s) => [s.name, s]));
  }

  /** A value the controller may read: the secret exists, is its own and is not scheduled for deletion. Someone else's text reads as none. */
  private async readLive<T>(record: SecretRecord | undefined, parse: (text: string | undefined) => T): Promise<T | undefined> {
    if (!record || !isManaged(record.tags) || record.deletedAt !== undefined) return undefined;
    try {
      return parse(await this.deps.secrets.getValue(record.name));
    } catch {
      return undefined;
    }
  }

  /** The integration's current value, wherever it is (both places during a move). */
  async current(tenant: string, provider: IntegrationProviderName): Promise<IntegrationSecretValue | undefined> {
    const records = await this.records(tenant);
    const silo = await this.readLive(records.get(this.siloName(tenant, provider)), parseIntegrationSecret);
    const pooled = await this.readLive(records.get(this.pooledName(tenant)), parsePooledIntegrations);
    return newerValue(silo, pooled?.integrations[provider]);
  }

  /** Writes one integration's new value where the tenant's model keeps it. A disconnected value leaves no tokens in either place. */
  async write(tenant: string, placement: Placement, value: IntegrationSecretValue): Promise<void> {
    const records = await this.records(tenant);
    const provider = value.provider;
    const siloRecord = records.get(this.siloName(tenant, provider));
    if (placement.isolation === 'silo') {
      await this.deps.secrets.putValue(writableSilo(siloRecord, this.siloName(tenant, provider), provider).name, serializeIntegrationSecret(value));
    }
    if (placement.isolation === 'pool' || !isConnected(value)) {
      await this.updatePooled(tenant, placement.tags, records, (integrations) => {
        if (isConnected(value)) integrations[provider] = value;
        else delete integrations[provider];
      });
    }
    // A pooled disconnect also empties a silo secret a move has not folded yet, so no token outlives it there.
    if (placement.isolation === 'pool' && !isConnected(value) && isConnected(await this.readLive(siloRecord, parseIntegrationSecret))) {
      await this.deps.secrets.putValue(siloRecord!.name, serializeIntegrationSecret(value));
    }
  }

  /**
   * Moves the tenant's tokens to its model. pool: every silo secret's connected value into the document
   * (the newer one where both hold it), then each silo secret emptied and scheduled for deletion. silo:
   * each of the document's integrations into its own secret (created when the manifest no longer lists
   * it: the tokens are the tenant's), then the document emptied and scheduled for deletion. The copies are
   * written before anything is emptied, so a cut at any step loses nothing and the next run finishes it.
   */
  async move(tenant: string, placement: Placement): Promise<IntegrationProviderName[]> {
    const records = await this.records(tenant);
    return placement.isolation === 'pool' ? this.fold(tenant, placement, records) : this.unfold(tenant, placement, records);
  }

  private async fold(tenant: string, placement: Placement, records: Map<string, SecretRecord>): Promise<IntegrationProviderName[]> {
    const silo = INTEGRATION_PROVIDERS.flatMap((provider) => {
      const record = records.get(this.siloName(tenant, provider));
      return record && isManaged(record.tags) && record.deletedAt === undefined ? [{ provider, record }] : [];
    });
    const values = await Promise.all(silo.map(({ record }) => this.readLive(record, parseIntegrationSecret)));
    if (values.some(isConnected)) {
      await this.updatePooled(tenant, placement.tags, records, (integrations) => {
        for (const value of values) {
          if (!value) continue;
          const best = newerValue(value, integrations[value.provider]);
          if (isConnected(best)) integrations[value.provider] = best;
          else delete integrations[value.provider];
        }
      });
    }
    const disconnectedAt = new Date(this.deps.now()).toISOString();
    for (const [i, { provider, record }] of silo.entries()) {
      const value = values[i];
      // Emptied at the same version: the copy in the document wins a tie, so a cut here loses nothing.
      if (isConnected(value)) await this.deps.secrets.putValue(record.name, serializeIntegrationSecret({ provider, disconnectedAt, version: value.version }));
      await this.deps.secrets.scheduleDeletion(record.name, this.deps.recoveryWindowDays);
    }
    return silo.map((s) => s.provider);
  }

  private async unfold(tenant: string, placement: Placement, records: Map<string, SecretRecord>): Promise<IntegrationProviderName[]> {
    const pooledRecord = records.get(this.pooledName(tenant));
    const document = await this.readLive(pooledRecord, parsePooledIntegrations);
    const moved = Object.values(document?.integrations ?? {});
    for (const value of moved) {
      const name = this.siloName(tenant, value.provider);
      const record = records.get(name);
      if (!record) {
        await this.deps.secrets.create(name, serializeIntegrationSecret(value), placement.tags, `OAuth credentials of tenant ${tenant} for ${value.provider}: set by the tenant's onboarding, never by the controller`);
        continue;
      }
      if (!isManaged(record.tags)) throw new ControllerError('NOT_OWNED', notOwnedMessage(`secret ${name}`));
      if (record.deletedAt !== undefined) await this.deps.secrets.restore(name);
      const current = record.deletedAt === undefined ? await this.readLive(record, parseIntegrationSecret) : undefined;
      if (newerValue(current, value) !== current) await this.deps.secrets.putValue(name, serializeIntegrationSecret(value));
    }
    if (pooledRecord && isManaged(pooledRecord.tags) && pooledRecord.deletedAt === undefined) {
      await this.updatePooled(tenant, placement.tags, records, (integrations) => {
        for (const provider of INTEGRATION_PROVIDERS) delete integrations[provider];
      });
    }
    return moved.map((v) => v.provider);
  }

  /**
   * Read, change and write the pooled document: created with the first integration, restored when a
   * deleted one is needed again, emptied and scheduled for deletion when the last one goes.
   */
  private async updatePooled(tenant: string, tags: Record<string, string>, records: Map<string, SecretRecord>, change: (integrations: PooledIntegrations['integrations']) => void): Promise<void> {
    const name = this.pooledName(tenant);
    const record = records.get(name);
    if (record && !isManaged(record.tags)) throw new ControllerError('NOT_OWNED', notOwnedMessage(`secret ${name}`));
    const document = await this.readLive(record, parsePooledIntegrations);
    const next: PooledIntegrations = { tenant, version: (document?.version ?? 0) + 1, integrations: { ...document?.integrations } };
    change(next.integrations);
    const empty = Object.keys(next.integrations).length === 0;
    const text = serializeIntegrationSecret(next);
    if (!record) {
      if (!empty) await this.deps.secrets.create(name, text, tags, `OAuth credentials of pooled tenant ${tenant}: every integration it connected, set by its onboarding, never by the controller`);
      return;
    }
    if (record.deletedAt !== undefined) {
      if (empty) return;
      await this.deps.secrets.restore(name);
    }
    await this.deps.secrets.putValue(name, text);
    if (empty) await this.deps.secrets.scheduleDeletion(name, this.deps.recoveryWindowDays);
  }
}

/** A silo integration secret the controller may write: it exists (the secrets module made it), is its own and is not being deleted. */
function writableSilo(record: SecretRecord | undefined, name: string, provider: IntegrationProviderName): SecretRecord {
  if (!record) throw new ControllerError('CONFLICT', `secret ${name} does not exist yet: list ${provider} under the tenant's integrations and let the controller apply it`);
  if (!isManaged(record.tags)) throw new ControllerError('NOT_OWNED', notOwnedMessage(`secret ${name}`));
  if (record.deletedAt !== undefined) throw new ControllerError('CONFLICT', `secret ${name} is scheduled for deletion`);
  return record;
}
