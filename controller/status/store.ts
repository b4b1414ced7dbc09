import type { Pool } from '../db/pool.js';
import { upgradeRemembered } from '../desired/remembered.js';
import type { DesiredTenant } from '../desired/types.js';
import type { TenantManifest } from '../manifests/types.js';
import type { Condition } from './conditions.js';
import { sharing } from '../../contract/sharing.js';

/**
 * What a pass holds of every tenant the controller has applied before: its lifecycle and the
 * fingerprints of its recorded documents, never the documents (see KnownTenant, read for the few
 * tenants whose fingerprints differ from the revision's).
 */
export interface TenantSummary {
  name: string;
  deletionPolicy: 'Retain' | 'Delete';
  revision: string | null;
  generation: number;
  lifecycle: 'Active' | 'Offboarding' | 'Retained' | 'Purged';
  offboardedAt: Date | null;
  purgeAfter: Date | null;
  /** Fingerprints of the recorded manifest and desired state (null: recorded before fingerprints). */
  manifestFingerprint: string | null;
  desiredFingerprint: string | null;
  /** The applied state: none yet, the recorded desired state itself, or another (read the record). */
  appliedState: 'none' | 'desired' | 'other';
  /** What withRecordedIsolation needs: the model the recorded manifest named, and the recorded tier and model. */
  manifestIsolation: DesiredTenant['isolation'] | null;
  tier: DesiredTenant['tier'];
  isolation: DesiredTenant['isolation'];
}

/**
 * Every pass reads every tenant's summary, and the driver makes a string of each value of each row: at
 * 100,000 tenants, 100,000 copies of the revision, the tier, the lifecycle. The columns with a handful
 * of values across the fleet hold one instance per value (names and fingerprints stay their own).
 */
function compactSummaries(rows: readonly TenantSummary[]): TenantSummary[] {
  const deletionPolicy = sharing<TenantSummary['deletionPolicy']>();
  const revision = sharing<TenantSummary['revision']>();
  const lifecycle = sharing<TenantSummary['lifecycle']>();
  const appliedState = sharing<TenantSummary['appliedState']>();
  const manifestIsolation = sharing<TenantSummary['manifestIsolation']>();
  const tier = sharing<TenantSummary['tier']>();
  const isolation = sharing<TenantSummary['isolation']>();
  // Each summary written out whole, as a literal: the driver's row, its fields set one at a time after a
  // copy, takes 16 bytes more (152 against 136, over 100,000 objects of each).
  return rows.map((row) => ({
    name: row.name,
    deletionPolicy: deletionPolicy(row.deletionPolicy),
    revision: revision(row.revision),
    generation: row.generation,
    lifecycle: lifecycle(row.lifecycle),
    offboardedAt: row.offboardedAt,
    purgeAfter: row.purgeAfter,
    manifestFingerprint: row.manifestFingerprint,
    desiredFingerprint: row.desiredFingerprint,
    appliedState: appliedState(row.appliedState),
    manifestIsolation: manifestIsolation(row.manifestIsolation),
    tier: tier(row.tier),
    isolation: isolation(row.isolation),
  }));
}

/** A tenant the controller has applied before, as it remembers it, documents included. */
export interface KnownTenant extends TenantSummary {
  manifest: TenantManifest;
  desired: DesiredTenant;
  /** The desired state last applied in full (null until the first full apply). */
  applied: DesiredTenant | null;
}

/** The controller migration that adds the fingerprint columns (migrations/controller/0080_tenant_fingerprints.sql). */
export const FINGERPRINTS_MIGRATION = 80;

/** Fingerprints recorded beside a tenant's documents (controller/engine/fingerprint.ts). */
export interface RecordFingerprints {
  manifest: string;
  desired: string;
}

export interface ResourceState {
  kind: string;
  name: string;
  state: 'Ready' | 'Pending' | 'Drifted' | 'Failed' | 'Retained' | 'Deleted';
  message?: string;
  lastSyncTime?: string;
}

export interface TenantStatusRecord {
  tenant: string;
  conditions: Condition[];
  resources: ResourceState[];
  observedRevision: string | null;
  observedGeneration: number | null;
  rejectedRevision: string | null;
  rejectedReason: string | null;
  lastError: string | null;
  terminal: boolean;
  provider: string | null;
  migrationVersion: number | null;
  facts: Record<string, unknown>;
  lastReconcileAt: string | null;
}

export interface EventRecord {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  tenant?: string;
  resource?: string;
  revision?: string;
  at?: Date;
}

/** The controller's memory and its status for ops, in its own schema. */
export class StatusStore {
  /**
   * `fingerprints: false`: a read-only plan of a database whose controller schema predates the
   * fingerprint columns; every record reads as recorded without them (so it is compared in full).
   */
  constructor(private readonly pool: Pool, private readonly options: { fingerprints?: boolean } = {}) {}

  private summaryColumns(): string {
    const fp = (column: string) => (this.options.fingerprints === false ? 'NULL::text' : column);
    return `name, deletion_policy AS "deletionPolicy", revision, generation::int AS generation,
            lifecycle, offboarded_at AS "offboardedAt", purge_after AS "purgeAfter",
            ${fp('manifest_fingerprint')} AS "manifestFingerprint", ${fp('desired_fingerprint')} AS "desiredFingerprint",
            CASE WHEN applied IS NULL THEN 'none' WHEN ${fp('applied_fingerprint')} = ${fp('desired_fingerprint')} THEN 'desired' ELSE 'other' END AS "appliedState",
            manifest->'spec'->>'isolation' AS "manifestIsolation", desired->>'tier' AS tier, coalesce(desired->>'isolation', 'silo') AS isolation`;
  }

  /** Every tenant's summary (or those of `names` only): a few short values a tenant, read by each pass. */
  async tenantSummaries(names?: readonly string[]): Promise<TenantSummary[]> {
    const { rows } = await this.pool.query<TenantSummary>(
      `SELECT ${this.summaryColumns()} FROM openclaw.tenants WHERE ($1::text[] IS NULL OR name = ANY($1::text[])) ORDER BY name`,
      [names ?? null],
    );
    return compactSummaries(rows);
  }

  /**
   * Every tenant's record, documents included (or those of `names` only: a pass reads the few whose
   * fingerprints differ). The applied state is, once a tenant has converged, the desired state
   * itself: PostgreSQL compares them, sends it once, and the two fields are one object (read-only,
   * as every record is).
   */
  async knownTenants(names?: readonly string[]): Promise<KnownTenant[]> {
    const { rows } = await this.pool.query(
      `SELECT ${this.summaryColumns()}, manifest, desired, CASE WHEN applied = desired THEN NULL ELSE applied END AS applied,
              coalesce(applied = desired, false) AS "appliedIsDesired"
         FROM openclaw.tenants WHERE ($1::text[] IS NULL OR name = ANY($1::text[])) ORDER BY name`,
      [names ?? null],
    );
    return rows.map(({ appliedIsDesired, ...row }: KnownTenant & { appliedIsDesired: boolean }) => {
      const desired = upgradeRemembered(row.desired);
      return { ...row, desired, applied: appliedIsDesired ? desired : row.applied && upgradeRemembered(row.applied) };
    });
  }

  /** Remembers what was applied, with its fingerprints; bumps the generation when the spec changed. */
  async recordApplied(manifest: TenantManifest, desired: DesiredTenant, revision: string | undefined, fingerprints: RecordFingerprints): Promise<number> {
    const { rows } = await this.pool.query<{ generation: number }>(
      `INSERT INTO openclaw.tenants AS t (name, manifest, desired, deletion_policy, revision, manifest_fingerprint, desired_fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET
         generation = t.generation + CASE WHEN t.manifest->'spec' IS DISTINCT FROM EXCLUDED.manifest->'spec' THEN 1 ELSE 0 END,
         manifest = EXCLUDED.manifest, desired = EXCLUDED.desired, deletion_policy = EXCLUDED.deletion_policy,
         revision = EXCLUDED.revision, lifecycle = 'Active', offboarded_at = NULL, purge_after = NULL,
         manifest_fingerprint = EXCLUDED.manifest_fingerprint, desired_fingerprint = EXCLUDED.desired_fingerprint,
         -- The applied state keeps its meaning: the recorded desired state while the two documents are equal.
         applied_fingerprint = CASE WHEN t.applied = EXCLUDED.desired THEN EXCLUDED.desired_fingerprint ELSE t.applied_fingerprint END,
         updated_at = now()
       WHERE t.manifest IS DISTINCT FROM EXCLUDED.manifest OR t.revision IS DISTINCT FROM EXCLUDED.revision
          OR t.lifecycle <> 'Active' OR t.desired IS DISTINCT FROM EXCLUDED.desired
          OR t.manifest_fingerprint IS DISTINCT FROM EXCLUDED.manifest_fingerprint OR t.desired_fingerprint IS DISTINCT FROM EXCLUDED.desired_fingerprint
       RETURNING generation::int AS generation`,
      [manifest.metadata.name, manifest, desired, manifest.spec.deletionPolicy, revision ?? null, fingerprints.manifest, fingerprints.desired],
    );
    if (rows[0]) return rows[0].generation;
    const current = await this.pool.query<{ generation: number }>('SELECT generation::int AS generation FROM openclaw.tenants WHERE name = $1', [manifest.metadata.name]);
    return current.rows[0]?.generation ?? 1;
  }

  /** Marks the desired state as applied in full: drift is measured against it from now on. */
  async markApplied(tenant: string): Promise<void> {
    await this.pool.query(
      `UPDATE openclaw.tenants SET applied = desired, applied_fingerprint = desired_fingerprint
        WHERE name = $1 AND (applied IS DISTINCT FROM desired OR applied_fingerprint IS DISTINCT FROM desired_fingerprint)`,
      [tenant],
    );
  }

  async audit(tenant: string, action: string, revision: string | undefined, detail: Record<string, unknown>): Promise<void> {
    await this.pool.query('INSERT INTO openclaw.audit (tenant, action, revision, detail) VALUES ($1, $2, $3, $4)', [tenant, action, revision ?? null, JSON.stringify(detail)]);
  }

  async setLifecycle(tenant: string, lifecycle: TenantSummary['lifecycle'], times: { offboardedAt?: Date; purgeAfter?: Date } = {}): Promise<void> {
    await this.pool.query(
      `UPDATE openclaw.tenants SET lifecycle = $2, offboarded_at = coalesce(offboarded_at, $3), purge_after = coalesce(purge_after, $4), updated_at = now()
        WHERE name = $1 AND (lifecycle <> $2 OR ($3::timestamptz IS NOT NULL AND offboarded_at IS NULL))`,
      [tenant, lifecycle, times.offboardedAt ?? null, times.purgeAfter ?? null],
    );
  }

  /** Read model for ops (status API, CLI): each tenant's last recorded desired state and lifecycle. */
  async tenantRecords(name?: string): Promise<Pick<KnownTenant, 'name' | 'desired' | 'lifecycle' | 'generation' | 'revision'>[]> {
    const { rows } = await this.pool.query(
      `SELECT name, desired, lifecycle, generation::int AS generation, revision FROM openclaw.tenants
        WHERE ($1::text IS NULL OR name = $1) ORDER BY name`,
      [name ?? null],
    );
    return rows.map((row: Pick<KnownTenant, 'name' | 'desired' | 'lifecycle' | 'generation' | 'revision'>) => ({ ...row, desired: upgradeRemembered(row.desired) }));
  }

  /** Every tenant's status, or those of `tenants` only. */
  async statuses(tenants?: readonly string[]): Promise<TenantStatusRecord[]> {
    const { rows } = tenants
      ? await this.pool.query<TenantStatusRecord>(`${STATUS_SELECT} WHERE tenant = ANY($1::text[]) ORDER BY tenant`, [tenants])
      : await this.pool.query<TenantStatusRecord>(`${STATUS_SELECT} ORDER BY tenant`);
    return rows;
  }

  async status(tenant: string): Promise<TenantStatusRecord | undefined> {
    const { rows } = await this.pool.query<TenantStatusRecord>(`${STATUS_SELECT} WHERE tenant = $1`, [tenant]);
    return rows.at(0);
  }

  /**
   * Writes a tenant's status only when it differs from what is stored, so a pass that
   * changes nothing writes no status rows (the pass time is stamped in one batch by touchReconciled).
   */
  async writeStatus(record: Omit<TenantStatusRecord, 'lastReconcileAt'>): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO openclaw.tenant_status AS s (tenant, conditions, resources, observed_revision, observed_generation, rejected_revision, rejected_reason,
                                             last_error, terminal, provider, migration_version, facts, last_reconcile_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), now())
       ON CONFLICT (tenant) DO UPDATE SET
         conditions = EXCLUDED.conditions, resources = EXCLUDED.resources, observed_revision = EXCLUDED.observed_revision,
         observed_generation = EXCLUDED.observed_generation, rejected_revision = EXCLUDED.rejected_revision,
         rejected_reason = EXCLUDED.rejected_reason, last_error = EXCLUDED.last_error, terminal = EXCLUDED.terminal,
         provider = EXCLUDED.provider, migration_version = EXCLUDED.migration_version, facts = EXCLUDED.facts, updated_at = now()
       WHERE (s.conditions, s.resources, s.observed_revision, s.observed_generation, s.rejected_revision, s.rejected_reason,
              s.last_error, s.terminal, s.provider, s.migration_version, s.facts)
             IS DISTINCT FROM
             (EXCLUDED.conditions, EXCLUDED.resources, EXCLUDED.observed_revision, EXCLUDED.observed_generation, EXCLUDED.rejected_revision,
              EXCLUDED.rejected_reason, EXCLUDED.last_error, EXCLUDED.terminal, EXCLUDED.provider, EXCLUDED.migration_version, EXCLUDED.facts)`,
      [
        record.tenant, JSON.stringify(record.conditions), JSON.stringify(record.resources), record.observedRevision, record.observedGeneration,
        record.rejectedRevision, record.rejectedReason, record.lastError, record.terminal, record.provider, record.migrationVersion,
        JSON.stringify(record.facts),
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Stamps the pass time on every tenant examined: one statement per pass. */
  async touchReconciled(tenants: readonly string[], at: Date): Promise<void> {
    if (tenants.length === 0) return;
    await this.pool.query('UPDATE openclaw.tenant_status SET last_reconcile_at = $2 WHERE tenant = ANY($1)', [tenants, at]);
  }

  async markRejected(revision: string, reason: string): Promise<void> {
    await this.pool.query(`UPDATE openclaw.tenant_status SET rejected_revision = $1, rejected_reason = $2, updated_at = now() WHERE rejected_revision IS DISTINCT FROM $1`, [revision, reason]);
  }

  async clearRejected(): Promise<void> {
    await this.pool.query(`UPDATE openclaw.tenant_status SET rejected_revision = NULL, rejected_reason = NULL WHERE rejected_revision IS NOT NULL`);
  }

  async recordEvents(events: EventRecord[]): Promise<void> {
    if (events.length === 0) return;
    await this.pool.query(
      `INSERT INTO openclaw.events (at, type, reason, message, tenant, resource, revision)
       SELECT coalesce(e.at, now()), e.type, e.reason, e.message, e.tenant, e.resource, e.revision
         FROM jsonb_to_recordset($1::jsonb) AS e(at timestamptz, type text, reason text, message text, tenant text, resource text, revision text)`,
      [JSON.stringify(events)],
    );
  }

  async events(options: { tenant?: string; limit?: number } = {}): Promise<(EventRecord & { id: number; at: Date })[]> {
    const { rows } = await this.pool.query(
      `SELECT id::int AS id, at, type, reason, message, tenant, resource, revision FROM openclaw.events
        WHERE ($1::text IS NULL OR tenant = $1) ORDER BY id DESC LIMIT $2`,
      [options.tenant ?? null, options.limit ?? 50],
    );
    return rows;
  }

  /** Keeps the newest `retention` events. */
  async pruneEvents(retention: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM openclaw.events WHERE id < (SELECT id FROM openclaw.events ORDER BY id DESC OFFSET $1 LIMIT 1)`,
      [retention - 1],
    );
    return result.rowCount ?? 0;
  }

  async setState(key: string, value: unknown): Promise<void> {
    await this.pool.query(
      `INSERT INTO openclaw.controller_state (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE openclaw.controller_state.value IS DISTINCT FROM EXCLUDED.value`,
      [key, JSON.stringify(value)],
    );
  }

  async getState<T>(key: string): Promise<T | undefined> {
    const { rows } = await this.pool.query<{ value: T }>('SELECT value FROM openclaw.controller_state WHERE key = $1', [key]);
    return rows[0]?.value;
  }
}

const STATUS_SELECT = `SELECT tenant, conditions, resources, observed_revision AS "observedRevision", observed_generation::int AS "observedGeneration",
  rejected_revision AS "rejectedRevision", rejected_reason AS "rejectedReason", last_error AS "lastError", terminal, provider,
  migration_version AS "migrationVersion", facts, last_reconcile_at AS "lastReconcileAt" FROM openclaw.tenant_status`;
