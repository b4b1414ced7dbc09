import type { Logger } from 'pino';
import type { DeletionPolicy } from '../manifests/types.js';
import type { DesiredAgent, DesiredTenant } from '../desired/types.js';
import type { Isolation } from '../../contract/catalog.js';
import { ProgrammingError } from '../../contract/errors.js';

export type Action = 'create' | 'update' | 'delete' | 'noop';

/**
 * What every planned change carries: plain data. `tenantctl plan` prints a list of these and
 * `tenantctl apply` executes the same list. `before` and `after` never hold secret values.
 * `D` is the kind's own data for apply (never printed): each module declares it, so the compiler
 * checks that what diff plans is what apply executes.
 */
export interface ChangeBase<D = unknown> {
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
  /** Module-private data apply needs (never printed); absent on a conflict. */
  detail?: D;
  /** Facts the status records once this change is applied, e.g. `{ migrationVersion: 3 }`. */
  facts?: Record<string, unknown>;
  /** The account quota a create consumes (and a delete frees), e.g. `iam-roles`: see engine/quota.ts. */
  quota?: string;
  /**
   * Set instead of acting when a resource with the tenant's name exists but is not
   * managed by the controller: reported in status, never touched (action is 'noop').
   */
  conflict?: string;
}

/** A change to one tenant's resources. */
export interface Change<D = unknown> extends ChangeBase<D> {
  tenant: string;
}

/** A change to a fleet-wide resource (the shared tables' RLS, the bucket's lifecycle): no tenant owns it. */
export type FleetChange<D = unknown> = ChangeBase<D>;

/** Why a tenant whose manifest is gone is being taken down. */
export interface Offboarding {
  policy: DeletionPolicy;
  /** Delete policy: true once the grace period has passed and data may be purged. */
  purge: boolean;
}

export interface DiffInput<O> {
  tenant: string;
  /** Undefined when the tenant's manifest is gone (see `offboarding`). */
  desired?: DesiredTenant;
  observed?: O;
  offboarding?: Offboarding;
}

/**
 * What the fleet-wide parts read of a tenant's desired state (a kind's fleet-wide diff and usage, the
 * launch forecast): a pass keeps this much of every tenant, and the rest of a desired state only
 * for the page of tenants it is planning. A desired state is one.
 */
export interface FleetTenant {
  name: string;
  isolation: Isolation;
  suspended: boolean;
  agents: readonly Pick<DesiredAgent, 'active' | 'schedule'>[];
  /** What the bucket's lifecycle rules read of the tenant's storage. */
  s3: Pick<DesiredTenant['s3'], 'archiveAfterDays' | 'expireAfterDays'>;
}

export interface FleetDiffInput<F> {
  observed: F;
  /**
   * Every tenant whose resources may still exist, from state the controller owns: the desired
   * tenants, and the last desired and last fully applied states it recorded for tenants not yet
   * purged (retained and offboarding ones included).
   */
  fleet: readonly FleetTenant[];
}

export interface ModuleContext {
  log: Logger;
  /** Injected clock, in ms. */
  now: () => number;
}

/**
 * A tenant's isolation model as a pass knows it before observing: in its desired state (absent when it
 * is offboarding) and in its record, as last planned and as last applied in full (absent: none yet).
 * A kind whose resources only one model has may skip, in a pass of a few tenants, those settled in the other.
 */
export interface TenantModels {
  desired?: Isolation;
  recorded?: Isolation;
  applied?: Isolation;
}

/** One batched observation of a kind: per tenant, and of its fleet-wide part when it has one. */
export interface Observation<O, F = never> {
  tenants: ReadonlyMap<string, O>;
  fleet?: F;
}

/**
 * The fleet-wide part of a kind: resources derived from the whole fleet rather than one tenant.
 * Planned in every pass from the kind's one observation, and applied once, before any tenant's changes.
 */
export interface FleetScope<F, FD> {
  diff(input: FleetDiffInput<F>): FleetChange<FD>[];
  apply(change: FleetChange<FD>, ctx: ModuleContext): Promise<void>;
}

/**
 * A kind of resource the controller owns. Every kind has the same four parts:
 * observe (one batched read for all tenants), diff (pure), apply (create/update)
 * and delete (a `delete` change), and optionally a fleet-wide part. The engine knows
 * nothing else about a kind. `O` is what it observes per tenant, `D` the data its changes
 * carry, `F` and `FD` the same for its fleet-wide part.
 */
export interface ResourceModule<O = unknown, D = unknown, F = unknown, FD = unknown> {
  readonly kind: string;
  /** Lower runs first on create/update and last on delete. */
  readonly order: number;
  /** One observation for all tenants: a constant number of calls, never one per tenant. */
  observe(tenants: readonly string[], ctx: ModuleContext): Promise<Observation<O, F>>;
  /**
   * Optional: just these few tenants, with a few calls each (GetRole, a listing of the tenant's own
   * secrets, catalog queries restricted to its names) instead of the fleet's listings, for a pass of
   * a few tenants (a manifest change, a retry). Its fleet-wide part only where that is one cheap read;
   * without it the fleet-wide part waits for the next full pass.
   */
  observeFew?(tenants: readonly string[], ctx: ModuleContext, models: ReadonlyMap<string, TenantModels>): Promise<Observation<O, F>>;
  /** Pure: the changes that take `observed` to `desired` (or offboard the tenant). */
  diff(input: DiffInput<O>): Change<D>[];
  apply(change: Change<D>, ctx: ModuleContext): Promise<void>;
  /** An erasure may return what it removed (counts by what), for the purge's audit record. */
  delete(change: Change<D>, ctx: ModuleContext): Promise<Record<string, number> | void>;
  /**
   * Optional: what this kind's observation says of an account quota (the bucket's lifecycle rules,
   * the secrets listed); `fleet` is every tenant whose resources may exist (see FleetDiffInput).
   */
  usage?(observation: Observation<O, F>, fleet: readonly FleetTenant[]): QuotaReading[];
  /** Optional per-tenant facts for the status (e.g. migration version). */
  describe?(tenant: string, observed: O | undefined): Record<string, unknown>;
  readonly fleet?: FleetScope<F, FD>;
}

/** The account quotas a revision is forecast against (`Change.quota`, `QuotaReading.quota`). */
export const QUOTAS = {
  iamRoles: 'iam-roles',
  secrets: 'secrets',
  lifecycleRules: 'lifecycle-rules',
  launchesPerDay: 'launches-per-day',
} as const;

/** One quota as read: `undefined` is unknown (not readable, or not read in this pass). */
export interface QuotaReading {
  /** Stable name: `iam-roles`, `secrets`, `lifecycle-rules`, `launches-per-day`. */
  quota: string;
  description: string;
  used?: number;
  limit?: number;
  /**
   * Set when the reading computes the state after the revision itself (from the desired fleet), rather
   * than the planner from the plan's changes (`Change.quota`).
   */
  after?: number;
  /** With `after`: the tenants whose desired state adds to it. */
  addedBy?: string[];
  /** Where `used` and `limit` come from, in words. */
  source: string;
}

export interface QuotaForecastRow extends QuotaReading {
  /** What the revision adds (negative: frees). */
  adds: number;
  /** `limit - after`, when both are known. */
  headroom?: number;
  /** The revision adds to it and would take it past its limit. */
  crosses: boolean;
}

export interface QuotaForecast {
  at: string;
  rows: QuotaForecastRow[];
}

/** The detail of a change that must carry one: a change planned without it is a programming fault. */
export function detailOf<D>(change: ChangeBase<D>): D {
  if (change.detail === undefined) throw new ProgrammingError(`${change.kind}: change ${change.action} ${change.resource} carries no detail`);
  return change.detail;
}

/** The fleet-wide changes of a pass. */
export interface FleetPlan {
  changes: FleetChange[];
  /** Kinds whose observation failed, so their fleet-wide part could not be planned. */
  errors: { kind: string; message: string }[];
}

export interface TenantPlan {
  tenant: string;
  changes: readonly Change[];
  /** Set when the tenant's manifest is gone: how it is being taken down (for rendering). */
  offboarding?: Offboarding;
  /** The pause annotation is set: the changes are reported, never applied. */
  paused?: boolean;
  /** Observation errors that prevent planning this tenant's kind. */
  errors: readonly { kind: string; message: string }[];
}

export interface Plan {
  revision?: string;
  createdAt: string;
  fleet: FleetPlan;
  tenants: TenantPlan[];
  /** Tenants whose manifests are gone and that the safety guard holds back. */
  held: { tenant: string; reason: string }[];
  /** Tenants whose changes would take the account past a quota: not applied until it has room. */
  quotaHeld: { tenant: string; reason: string }[];
  /** The account's headroom and what this plan adds to it (absent when no quota was read). */
  forecast?: QuotaForecast;
}

export function countChanges(plan: Plan): { create: number; update: number; delete: number; destructive: number; drift: number } {
  const all = [...plan.fleet.changes, ...plan.tenants.flatMap((t) => t.changes)].filter((c) => c.action !== 'noop');
  return {
    create: all.filter((c) => c.action === 'create').length,
    update: all.filter((c) => c.action === 'update').length,
    delete: all.filter((c) => c.action === 'delete').length,
    destructive: all.filter((c) => c.destructive).length,
    drift: all.filter((c) => c.drift).length,
  };
}
