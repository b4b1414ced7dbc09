import type { DesiredTenant } from '../desired/types.js';
import type { KnownTenant } from '../status/store.js';
import { PLATFORM, type Change, type Offboarding, type Plan, type ResourceModule, type TenantPlan } from './types.js';

export interface PlanInput {
  modules: readonly ResourceModule[];
  desired: readonly DesiredTenant[];
  known: readonly KnownTenant[];
  /** kind → tenant → observed. */
  observations: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
  /** kind → why it could not be observed this pass. */
  observeErrors: ReadonlyMap<string, string>;
  now: number;
  revision?: string;
  guard: { maxDeleteFraction: number; confirmedRevision?: string };
  /** Plan only these tenants (an immediate reconcile after a manifest change). */
  only?: ReadonlySet<string>;
}

/**
 * Pure: desired tenants, what the controller applied before, and one batched observation
 * per kind → the plan. Tenants whose manifest is gone are offboarded by their last applied
 * deletion policy, unless the mass-deletion guard holds them back.
 */
export function buildPlan(input: PlanInput): Plan {
  const desiredByName = new Map(input.desired.map((d) => [d.name, d]));
  const knownByName = new Map(input.known.map((k) => [k.name, k]));
  const wanted = (tenant: string) => !input.only || input.only.has(tenant);

  const departing = input.known.filter((k) => !desiredByName.has(k.name) && k.lifecycle !== 'Purged');
  const newlyDeparting = departing.filter((k) => k.lifecycle === 'Active');
  const active = input.known.filter((k) => k.lifecycle === 'Active');
  const held = guardDeletions(newlyDeparting, active.length, input);

  const tenants: TenantPlan[] = [];
  // Fleet-wide resources are planned in every pass, a single-tenant one included: a tenant's new
  // storage class needs its lifecycle rule now, not at the next resync. The observation is fleet-wide anyway.
  tenants.push(planTenant(PLATFORM, input, { fleet: fleetOf(input) }));
  for (const desired of input.desired) {
    if (!wanted(desired.name)) continue;
    const known = knownByName.get(desired.name);
    // A tenant coming back from offboarding (a revert): restoring its access is intended, not drift.
    tenants.push(planTenant(desired.name, input, { desired, last: known?.lifecycle === 'Active' ? known.desired : undefined }));
  }
  for (const known of departing) {
    if (!wanted(known.name) || held.some((h) => h.tenant === known.name)) continue;
    const purge = known.deletionPolicy === 'Delete' && known.purgeAfter !== null && new Date(known.purgeAfter).getTime() <= input.now;
    tenants.push(planTenant(known.name, input, { offboarding: { policy: known.deletionPolicy, purge } }));
  }
  return {
    revision: input.revision,
    createdAt: new Date(input.now).toISOString(),
    tenants: tenants.filter((t) => t.tenant !== PLATFORM || t.changes.length > 0 || t.errors.length > 0),
    held,
  };
}

/**
 * Every tenant whose resources may still exist, from desired state and the controller's own records
 * only (never from anything a tenant's role can write): desired tenants, then the last desired and
 * last fully applied state of every tenant not purged yet.
 */
export function fleetOf(input: Pick<PlanInput, 'desired' | 'known'>): DesiredTenant[] {
  const remembered = input.known.filter((k) => k.lifecycle !== 'Purged').flatMap((k) => (k.applied ? [k.desired, k.applied] : [k.desired]));
  return [...input.desired, ...remembered];
}

function guardDeletions(departing: readonly KnownTenant[], activeCount: number, input: PlanInput): Plan['held'] {
  if (departing.length === 0) return [];
  const confirmed = input.guard.confirmedRevision !== undefined && input.guard.confirmedRevision === input.revision;
  if (confirmed) return [];
  const all = departing.length >= activeCount;
  const share = activeCount === 0 ? 0 : departing.length / activeCount;
  if (!all && share <= input.guard.maxDeleteFraction) return [];
  const reason = all
    ? `revision ${input.revision ?? '(unknown)'} would offboard every tenant (${departing.length}); held until an operator confirms it`
    : `revision ${input.revision ?? '(unknown)'} would offboard ${departing.length} of ${activeCount} tenants (${Math.round(share * 100)}% > ${Math.round(input.guard.maxDeleteFraction * 100)}% allowed); held until an operator confirms it`;
  return departing.map((k) => ({ tenant: k.name, reason }));
}

function planTenant(
  tenant: string,
  input: PlanInput,
  target: { desired?: DesiredTenant; last?: DesiredTenant; offboarding?: Offboarding; fleet?: readonly DesiredTenant[] },
): TenantPlan {
  const changes: Change[] = [];
  const errors: TenantPlan['errors'] = [];
  for (const module of [...input.modules].sort((a, b) => a.order - b.order)) {
    const failure = input.observeErrors.get(module.kind);
    if (failure) {
      errors.push({ kind: module.kind, message: failure });
      continue;
    }
    const observations = input.observations.get(module.kind);
    if (tenant === PLATFORM && !observations?.has(PLATFORM)) continue;
    const observed = observations?.get(tenant);
    const planned = module.diff({ tenant, observed, desired: target.desired, offboarding: target.offboarding, fleet: target.fleet });
    // Drift: the same change would be needed to get back to what was last applied, so the
    // live state moved, not the manifest. Fleet-wide changes are drift once anything was applied.
    const towardLast = target.last ? module.diff({ tenant, observed, desired: target.last }) : [];
    for (const change of planned) {
      const drift = (tenant === PLATFORM && input.known.length > 0) || towardLast.some((c) => c.resource === change.resource && c.action === change.action &&
        ((c.fields.length === 0 && change.fields.length === 0) || c.fields.some((f) => change.fields.includes(f))));
      changes.push(drift ? { ...change, drift: true } : change);
    }
  }
  return { tenant, changes, errors, ...(target.offboarding ? { offboarding: target.offboarding } : {}), ...(target.desired?.paused ? { paused: true } : {}) };
}

/** Create and update first in module order; deletes after, in reverse module order. */
export function executionOrder(changes: readonly Change[], modules: readonly ResourceModule[]): Change[] {
  const order = new Map(modules.map((m) => [m.kind, m.order]));
  const indexed = changes.map((change, index) => ({ change, index }));
  const forward = indexed.filter((c) => c.change.action === 'create' || c.change.action === 'update')
    .sort((a, b) => (order.get(a.change.kind)! - order.get(b.change.kind)!) || a.index - b.index);
  const backward = indexed.filter((c) => c.change.action === 'delete')
    .sort((a, b) => (order.get(b.change.kind)! - order.get(a.change.kind)!) || a.index - b.index);
  return [...forward, ...backward].map((c) => c.change);
}
