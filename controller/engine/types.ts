import type { Logger } from 'pino';
import type { DeletionPolicy } from '../manifests/types.js';
import type { DesiredTenant } from '../desired/types.js';

export type Action = 'create' | 'update' | 'delete' | 'noop';

/**
 * One planned change: plain data. `tenantctl plan` prints a list of these and
 * `tenantctl apply` executes the same list. `before` and `after` never hold secret values.
 */
export interface Change {
  tenant: string;
  /** Resource module kind: 'secrets' | 'postgres' | 'iam' | 's3' | … */
  kind: string;
  /** What is changed, e.g. `role/tenant_acme_runtime`; unique within (tenant, kind). */
  resource: string;
  action: Action;
  before: unknown;
  after: unknown;
  /** Loses data or access that cannot be restored by the next pass. */
  destructive: boolean;
  /** For updates: the fields that change, e.g. ['rls', 'policy']. */
  fields: string[];
  /** Set by the planner: the live state moved away from what was last applied (out-of-band change). */
  drift?: boolean;
  /** Module-private data apply needs (never printed). */
  detail?: Record<string, unknown>;
  /**
   * Set instead of acting when a resource with the tenant's name exists but is not
   * managed by the controller: reported in status, never touched (action is 'noop').
   */
  conflict?: string;
}

/** Why a tenant whose manifest is gone is being taken down. */
export interface Offboarding {
  policy: DeletionPolicy;
  /** Delete policy: true once the grace period has passed and data may be purged. */
  purge: boolean;
}

/**
 * The tenant key of fleet-wide resources (the shared RLS tables, the bucket's lifecycle
 * configuration). A module whose observe() returns an entry under PLATFORM gets one
 * extra diff call with `tenant: PLATFORM` and `fleet` set to every desired tenant;
 * its changes are planned and applied once per pass, before per-tenant changes.
 */
export const PLATFORM = '*';

export interface DiffInput<O> {
  /** A tenant name, or PLATFORM. */
  tenant: string;
  /**
   * For the PLATFORM diff: every tenant whose resources may still exist, from state the controller
   * owns: the desired tenants, and the last desired and last fully applied states it recorded for
   * tenants not yet purged (retained and offboarding ones included).
   */
  fleet?: readonly DesiredTenant[];
  /** Undefined when the tenant's manifest is gone (see `offboarding`). */
  desired?: DesiredTenant;
  observed?: O;
  offboarding?: Offboarding;
}

export interface ModuleContext {
  log: Logger;
  /** Injected clock, in ms. */
  now: () => number;
}

/**
 * A kind of resource the controller owns. Every kind has the same four parts:
 * observe (one batched read for all tenants), diff (pure), apply (create/update)
 * and delete (a `delete` change). The engine knows nothing else about a kind.
 */
export interface ResourceModule<O = unknown> {
  readonly kind: string;
  /** Lower runs first on create/update and last on delete. */
  readonly order: number;
  /** One observation for all tenants: a constant number of calls, never one per tenant. */
  observe(tenants: readonly string[], ctx: ModuleContext): Promise<Map<string, O>>;
  /** Pure: the changes that take `observed` to `desired` (or offboard the tenant). */
  diff(input: DiffInput<O>): Change[];
  apply(change: Change, ctx: ModuleContext): Promise<void>;
  /** An erasure may return what it removed (counts by what), for the purge's audit record. */
  delete(change: Change, ctx: ModuleContext): Promise<Record<string, number> | void>;
  /** Optional per-tenant facts for the status (e.g. migration version). */
  describe?(tenant: string, observed: O | undefined): Record<string, unknown>;
}

export interface TenantPlan {
  tenant: string;
  changes: Change[];
  /** Set when the tenant's manifest is gone: how it is being taken down (for rendering). */
  offboarding?: Offboarding;
  /** The pause annotation is set: the changes are reported, never applied. */
  paused?: boolean;
  /** Observation errors that prevent planning this tenant's kind. */
  errors: { kind: string; message: string }[];
}

export interface Plan {
  revision?: string;
  createdAt: string;
  tenants: TenantPlan[];
  /** Tenants whose manifests are gone and that the safety guard holds back. */
  held: { tenant: string; reason: string }[];
}

export function countChanges(plan: Plan): { create: number; update: number; delete: number; destructive: number; drift: number } {
  const all = plan.tenants.flatMap((t) => t.changes).filter((c) => c.action !== 'noop');
  return {
    create: all.filter((c) => c.action === 'create').length,
    update: all.filter((c) => c.action === 'update').length,
    delete: all.filter((c) => c.action === 'delete').length,
    destructive: all.filter((c) => c.destructive).length,
    drift: all.filter((c) => c.drift).length,
  };
}
