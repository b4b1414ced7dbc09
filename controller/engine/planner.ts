import type { DesiredTenant } from '../desired/types.js';
import type { KnownTenant, TenantSummary } from '../status/store.js';
import { rememberedOf } from './fingerprint.js';
import { forecastQuotas, type QuotaReading } from './quota.js';
import type { Change, Observation, FleetChange, FleetPlan, FleetTenant, Offboarding, Plan, ResourceModule, TenantPlan } from './types.js';

/** What planning a tenant reads besides its own states: this pass's one observation of each kind. */
export interface ObservedInput {
  modules: readonly ResourceModule[];
  /** kind → its one observation of this pass. */
  observations: ReadonlyMap<string, Observation<unknown, unknown>>;
  /** kind → why it could not be observed this pass. */
  observeErrors: ReadonlyMap<string, string>;
}

export interface PlanInput extends ObservedInput {
  /** The desired tenants' plans (planDesired), in the revision's order: those wanted only. */
  planned: readonly TenantPlan[];
  /** What the fleet-wide parts read of every desired tenant, planned or not (see FleetTenant). */
  desired: readonly FleetTenant[];
  /** Every tenant applied before, by its summary. */
  known: readonly TenantSummary[];
  /** The records read in full: every non-purged one whose fingerprints differ from the desired states (see needsRecord). */
  records: ReadonlyMap<string, KnownTenant>;
  now: number;
  revision?: string;
  guard: { maxDeleteFraction: number; confirmedRevision?: string };
  /** Plan only these tenants (an immediate reconcile after a manifest change). */
  only?: ReadonlySet<string>;
  /**
   * Account quotas read for this pass (IAM roles, launches a day, and the modules' readings: see
   * moduleReadings). Absent: no forecast, nothing held for a quota.
   */
  quotas?: readonly QuotaReading[];
}

/**
 * Pure: one desired tenant's plan, from its summary (`known`), the records read in full and this pass's
 * observations. Drift is measured against what was applied in full, never against what was only wanted:
 * after an interrupted first apply, the creations that follow are the apply going on. A tenant coming
 * back from offboarding (a revert): restoring its access is intended, not drift either.
 */
export function planDesired(desired: DesiredTenant, known: TenantSummary | undefined, records: ReadonlyMap<string, KnownTenant>, input: ObservedInput): TenantPlan {
  const last = known?.lifecycle === 'Active' ? rememberedOf(known, records, desired).applied ?? undefined : undefined;
  return planTenant(desired.name, input, { desired, last });
}

/**
 * Pure: the desired tenants' plans (planned a page at a time by planDesired), what the controller
 * applied before, and one batched observation per kind → the plan. Tenants whose manifest is gone are
 * offboarded by their last applied deletion policy, unless the mass-deletion guard holds them back.
 */
export function buildPlan(input: PlanInput): Plan {
  const desiredNames = new Set(input.desired.map((d) => d.name));
  const wanted = (tenant: string) => !input.only || input.only.has(tenant);

  const departing = input.known.filter((k) => !desiredNames.has(k.name) && k.lifecycle !== 'Purged');
  const newlyDeparting = departing.filter((k) => k.lifecycle === 'Active');
  const active = input.known.filter((k) => k.lifecycle === 'Active');
  const held = guardDeletions(newlyDeparting, active.length, input);

  const tenants: TenantPlan[] = [...input.planned];
  const heldNames = new Set(held.map((h) => h.tenant));
  for (const known of departing) {
    if (!wanted(known.name) || heldNames.has(known.name)) continue;
    const purge = known.deletionPolicy === 'Delete' && known.purgeAfter !== null && new Date(known.purgeAfter).getTime() <= input.now;
    tenants.push(planTenant(known.name, input, { offboarding: { policy: known.deletionPolicy, purge } }));
  }
  const quotas = input.quotas && forecastQuotas(input.quotas, tenants, input.now);
  const quotaHeld = quotas?.held ?? [];
  const quotaHeldNames = new Set(quotaHeld.map((h) => h.tenant));
  return {
    revision: input.revision,
    createdAt: new Date(input.now).toISOString(),
    // Fleet-wide resources are planned in every pass, a single-tenant one included: a tenant's new
    // storage class needs its lifecycle rule now, not at the next resync. The observation is fleet-wide anyway.
    fleet: planFleet(input),
    tenants: tenants.filter((t) => !quotaHeldNames.has(t.tenant)),
    held,
    quotaHeld,
    ...(quotas ? { forecast: quotas.forecast } : {}),
  };
}

/** What each kind's observation says of an account quota (from a full observation: a few tenants' says nothing of the account). */
export function moduleReadings(input: Pick<PlanInput, 'modules' | 'observations' | 'desired' | 'records'>): QuotaReading[] {
  const fleet = fleetOf(input);
  return input.modules.flatMap((module) => {
    const observation = input.observations.get(module.kind);
    return observation && module.usage ? module.usage(observation, fleet) : [];
  });
}

/**
 * Every tenant whose resources may still exist, from desired state and the controller's own records
 * only (never from anything a tenant's role can write): desired tenants, then the last desired and
 * last fully applied state of every tenant not purged yet. A record read only by its fingerprints
 * holds the desired state itself, already in the list.
 */
export function fleetOf(input: Pick<PlanInput, 'desired' | 'records'>): FleetTenant[] {
  const remembered = [...input.records.values()].filter((k) => k.lifecycle !== 'Purged').flatMap((k) => (k.applied ? [k.desired, k.applied] : [k.desired]));
  return [...input.desired, ...remembered];
}

function guardDeletions(departing: readonly TenantSummary[], activeCount: number, input: PlanInput): Plan['held'] {
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

/**
 * The fleet-wide part of every kind that has one, from the same observation as its tenants.
 * Its changes are drift once anything was applied: the fleet's manifests are what applied them.
 */
function planFleet(input: PlanInput): FleetPlan {
  const changes: FleetChange[] = [];
  const errors: FleetPlan['errors'] = [];
  const fleet = fleetOf(input);
  for (const module of [...input.modules].sort((a, b) => a.order - b.order)) {
    if (!module.fleet) continue;
    const failure = input.observeErrors.get(module.kind);
    if (failure) {
      errors.push({ kind: module.kind, message: failure });
      continue;
    }
    const observed = input.observations.get(module.kind)?.fleet;
    if (observed === undefined) continue;
    for (const change of module.fleet.diff({ observed, fleet })) changes.push(input.known.length > 0 ? { ...change, drift: true } : change);
  }
  return { changes, errors };
}

function planTenant(
  tenant: string,
  input: ObservedInput,
  target: { desired?: DesiredTenant; last?: DesiredTenant; offboarding?: Offboarding },
): TenantPlan {
  const changes: Change[] = [];
  const errors: { kind: string; message: string }[] = [];
  for (const module of [...input.modules].sort((a, b) => a.order - b.order)) {
    const failure = input.observeErrors.get(module.kind);
    if (failure) {
      errors.push({ kind: module.kind, message: failure });
      continue;
    }
    const observed = input.observations.get(module.kind)?.tenants.get(tenant);
    const planned = module.diff({ tenant, observed, desired: target.desired, offboarding: target.offboarding });
    // Drift: the same change would be needed to get back to what was last applied, so the
    // live state moved, not the manifest.
    const towardLast = target.last ? module.diff({ tenant, observed, desired: target.last }) : [];
    for (const change of planned) {
      const drift = towardLast.some((c) => c.resource === change.resource && c.action === change.action &&
        ((c.fields.length === 0 && change.fields.length === 0) || c.fields.some((f) => change.fields.includes(f))));
      changes.push(drift ? { ...change, drift: true } : change);
    }
  }
  // A converged tenant (most of a fleet, most passes) has neither: they are shared, not one pair a tenant.
  return { tenant, changes: changes.length > 0 ? changes : NO_CHANGES, errors: errors.length > 0 ? errors : NO_ERRORS, ...(target.offboarding ? { offboarding: target.offboarding } : {}), ...(target.desired?.paused ? { paused: true } : {}) };
}

const NO_CHANGES: readonly Change[] = Object.freeze([]);
const NO_ERRORS: TenantPlan['errors'] = Object.freeze([]);

/** Create and update first in module order; deletes after, in reverse module order. */
export function executionOrder<C extends FleetChange>(changes: readonly C[], modules: readonly ResourceModule[]): C[] {
  const order = new Map(modules.map((m) => [m.kind, m.order]));
  const indexed = changes.map((change, index) => ({ change, index }));
  const forward = indexed.filter((c) => c.change.action === 'create' || c.change.action === 'update')
    .sort((a, b) => (order.get(a.change.kind)! - order.get(b.change.kind)!) || a.index - b.index);
  const backward = indexed.filter((c) => c.change.action === 'delete')
    .sort((a, b) => (order.get(b.change.kind)! - order.get(a.change.kind)!) || a.index - b.index);
  return [...forward, ...backward].map((c) => c.change);
}
