import type { Logger } from 'pino';
import { withRecordedIsolation } from '../desired/tenant.js';
import type { DesiredContext, DesiredTenant } from '../desired/types.js';
import { errorMessage, isRetryable, ControllerError, ProgrammingError } from '../../contract/errors.js';
import type { SourceSnapshot } from '../source/types.js';
import type { EventRecord, KnownTenant, StatusStore, TenantStatusRecord, TenantSummary } from '../status/store.js';
import { deriveDesired, desiredFingerprint, fingerprintOf, needsRecord, pages, recordedModels, recordFingerprints, rememberedOf } from './fingerprint.js';
import { TenantBackoff } from './backoff.js';
import { mapLimit } from '../../contract/concurrency.js';
import { beginOffboarding, finishOffboarding } from './offboarding.js';
import type { ApplyError, FleetOutcome, PassReport, TenantOutcome } from './outcome.js';
import { tenantModels } from './models.js';
import { buildPlan, executionOrder, moduleReadings, planDesired } from './planner.js';
import { sameJson } from './same-json.js';
import { sharingBy } from '../../contract/sharing.js';
import type { QuotaReading } from './quota.js';
import { tenantStatus } from './status.js';
import type { Change, FleetChange, FleetPlan, FleetTenant, ModuleContext, Observation, Plan, ResourceModule, TenantModels, TenantPlan } from './types.js';

export interface ReconcilerDeps {
  modules: readonly ResourceModule[];
  store: StatusStore;
  log: Logger;
  desiredContext: DesiredContext;
  providerName: string;
  now: () => number;
  random: () => number;
  concurrency: number;
  backoff: { baseMs: number; maxMs: number };
  maxDeleteFraction: number;
  purgeGraceMs: number;
  eventRetention: number;
  /** Tenants a pass derives and plans, and whose records and statuses it reads, at a time (default RECORD_PAGE; tests use fewer). */
  pageSize?: number;
  /**
   * The account's quotas beside the modules' (IAM roles from the account summary, launches a day from
   * the schedules), read once a pass; absent: no forecast and nothing held for a quota.
   */
  quotas?: (fleet: { desired: readonly FleetTenant[]; remembered: ReadonlyMap<string, FleetTenant> }) => Promise<QuotaReading[]>;
}

export interface PlanOptions {
  only?: ReadonlySet<string>;
  confirmedRevision?: string;
  /** Tenants an operator paused (besides the annotation): planned, never changed. */
  paused?: ReadonlySet<string>;
}

/**
 * What a pass keeps of a tenant's desired state once it has planned it: what the fleet-wide parts
 * read, and what applying an unchanged tenant reads (its fingerprint, its pause and suspension).
 */
export interface PlannedTenant extends FleetTenant {
  tier: DesiredTenant['tier'];
  paused: boolean;
  fingerprint: string;
}

export interface PlannedPass {
  plan: Plan;
  snapshot: SourceSnapshot;
  /**
   * Every desired tenant, as much of it as the pass keeps (the full states are derived and planned a
   * page at a time, so a pass never holds the fleet's desired states at once).
   */
  desired: Map<string, PlannedTenant>;
  /** A desired tenant's full state, derived again as the pass derived it (to record it once applied). */
  derive(tenant: string): DesiredTenant | undefined;
  /** Every tenant the controller applied before, by its summary. */
  known: TenantSummary[];
  /** The same summaries by tenant, and the revision's tenants by name: apply looks each tenant up, never scans. */
  knownByName: ReadonlyMap<string, TenantSummary>;
  loadedByName: ReadonlyMap<string, SourceSnapshot['tenants'][number]>;
  /** The records read in full: those whose fingerprints differ from the revision's (see needsRecord). */
  records: Map<string, KnownTenant>;
  /** What each tenant's observation says for its status (equal sets shared, frozen). */
  observedFacts: Map<string, Readonly<Record<string, unknown>>>;
}

export type { ApplyError, FleetOutcome, PassReport, TenantOutcome } from './outcome.js';

/**
 * What a pass keeps of each desired state it has planned (its agents cut to their schedules, its storage
 * to what the lifecycle rules read). The fleet's tenants share a handful of agent sets and storage
 * settings: each is held once for the pass, not once a tenant.
 */
export function plannedTenants(): (desired: DesiredTenant) => PlannedTenant {
  const agents = sharingBy<PlannedTenant['agents']>((list) => list.map((a) => `${a.active}\u0000${a.schedule}`).join('\u0001'));
  const storage = sharingBy<PlannedTenant['s3']>((s3) => `${s3.archiveAfterDays}/${s3.expireAfterDays}`);
  return (desired) => ({
    name: desired.name, tier: desired.tier, isolation: desired.isolation, suspended: desired.suspended, paused: desired.paused,
    agents: agents(desired.agents.map((a) => ({ active: a.active, schedule: a.schedule }))),
    s3: storage({ archiveAfterDays: desired.s3.archiveAfterDays, expireAfterDays: desired.s3.expireAfterDays }),
    fingerprint: desiredFingerprint(desired),
  });
}

/**
 * A tenant's desired state as a pass derives it: from its manifest, with the isolation its record holds,
 * paused when an operator paused it. Made apart from the pass's planning, which the pass keeps it for
 * (to record what it applies): a closure made among the planning's own would keep every one of its
 * variables alive, the whole fleet's observations among them, until the pass ends.
 */
function desiredOf(
  loaded: ReadonlyMap<string, SourceSnapshot['tenants'][number]>, recorded: ReadonlyMap<string, TenantSummary>, ctx: DesiredContext, paused: ReadonlySet<string> | undefined,
): (tenant: string) => DesiredTenant | undefined {
  return (tenant) => {
    const t = loaded.get(tenant);
    if (!t) return undefined;
    const derived = withRecordedIsolation(deriveDesired(t.manifest, ctx), t.manifest, recorded.get(tenant), ctx);
    return paused?.has(tenant) ? { ...derived, paused: true } : derived;
  };
}

/** A pass being applied: what was planned, and the stored statuses of the page of tenants being applied. */
type PassInFlight = PlannedPass & { statuses: Map<string, TenantStatusRecord> };

/**
 * A pass of at most this many tenants observes them one by one (a few calls each) rather than the
 * fleet (ListSecrets alone is a page per 100 secrets: 25 at 1,000 tenants, 2,500 at 100,000).
 */
export const FEW_TENANTS = 20;

/** Records and statuses are read this many tenants at a time, so a pass holds a page of them, not the fleet's. */
export const RECORD_PAGE = 1_000;

/**
 * One reconcile pass: observe every kind once (batched), build the plan (pure), then apply
 * each tenant's changes in order with bounded concurrency, recording status and events.
 * Level-triggered: nothing here depends on what the previous pass did, except backoff.
 */
export class Reconciler {
  readonly backoff: TenantBackoff;

  constructor(private readonly deps: ReconcilerDeps) {
    this.backoff = new TenantBackoff({ ...deps.backoff, now: deps.now, random: deps.random });
  }

  get modules(): readonly ResourceModule[] {
    return this.deps.modules;
  }

  private get pageSize(): number {
    return this.deps.pageSize ?? RECORD_PAGE;
  }

  /** What the modules' last full observation said of the account's quotas. */
  private lastModuleReadings: QuotaReading[] = [];

  /** The account's quotas for this pass; a failure to read them leaves them unknown (logged), never fails the pass. */
  private async readQuotas(desired: readonly FleetTenant[], remembered: () => ReadonlyMap<string, FleetTenant>): Promise<QuotaReading[] | undefined> {
    if (!this.deps.quotas) return undefined;
    try {
      return await this.deps.quotas({ desired, remembered: remembered() });
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not read the account quotas; the forecast shows them unknown');
      return [];
    }
  }

  async plan(snapshot: SourceSnapshot, options: PlanOptions = {}): Promise<PlannedPass> {
    if (snapshot.issues.length > 0) {
      throw new ControllerError('MANIFEST_INVALID', `revision ${snapshot.revision} has ${snapshot.issues.length} invalid manifest field(s); it is not applied`);
    }
    const known = await this.deps.store.tenantSummaries();
    const recorded = new Map(known.map((k) => [k.name, k]));
    const loaded = new Map(snapshot.tenants.map((t) => [t.name, t]));
    const derive = desiredOf(loaded, recorded, this.deps.desiredContext, options.paused);
    const all = [...new Set([...loaded.keys(), ...known.filter((k) => k.lifecycle !== 'Purged').map((k) => k.name)])].sort();
    // A pass of a few tenants (a manifest change, a retry) observes just those, one by one, where a module can.
    const few = options.only !== undefined && options.only.size <= FEW_TENANTS;
    const tenants = few ? all.filter((t) => options.only!.has(t)) : all;
    const wanted = (tenant: string) => !options.only || options.only.has(tenant);
    const ctx = this.context();
    const observations = new Map<string, Observation<unknown, unknown>>();
    const observeErrors = new Map<string, string>();
    const observed = { modules: this.deps.modules, observations, observeErrors };
    const observe = (models: ReadonlyMap<string, TenantModels>) => Promise.all(this.deps.modules.map(async (module) => {
      try {
        observations.set(module.kind, await (few && module.observeFew ? module.observeFew(tenants, ctx, models) : module.observe(tenants, ctx)));
      } catch (error) {
        this.deps.log.warn({ err: error, resource: module.kind }, 'could not observe resources');
        observeErrors.set(module.kind, `could not observe ${module.kind}: ${errorMessage(error)}`);
      }
    }));
    const desired = new Map<string, PlannedTenant>();
    // The documents of just the records that differ from the revision (none in a pass that changes nothing).
    const records = new Map<string, KnownTenant>();
    const planned: TenantPlan[] = [];
    const plannedTenantOf = plannedTenants();
    // The desired states a page of tenants at a time: each page's are derived, its differing records
    // read, its tenants planned (`plan`), and only what the pass keeps of them (PlannedTenant) stays.
    const sweep = async (plan: (state: DesiredTenant) => void) => {
      for (const page of pages(snapshot.tenants, this.pageSize)) {
        const states = page.map((t) => derive(t.name)!);
        await this.readRecordsInto(records, states.filter((d) => { const k = recorded.get(d.name); return k !== undefined && needsRecord(k, d); }).map((d) => d.name));
        for (const state of states) {
          desired.set(state.name, plannedTenantOf(state));
          plan(state);
        }
      }
      await this.readRecordsInto(records, known.filter((k) => !loaded.has(k.name) && needsRecord(k, undefined)).map((k) => k.name));
    };
    const planOne = (state: DesiredTenant) => planned.push(planDesired(state, recorded.get(state.name), records, observed));
    if (few) {
      // observeFew reads each tenant's models from its record: records first, then the few tenants observed and planned.
      const kept: DesiredTenant[] = [];
      await sweep((state) => void (wanted(state.name) && kept.push(state)));
      await observe(tenantModels(tenants, desired, new Map(known.filter((k) => options.only!.has(k.name)).map((k) => [k.name, recordedModels(k, records, desired.get(k.name))]))));
      for (const state of kept) planOne(state);
    } else {
      await observe(new Map());
      await sweep((state) => void (wanted(state.name) && planOne(state)));
    }
    const remembered = () => new Map(known.filter((k) => k.lifecycle === 'Active').map((k) => [k.name, rememberedOf(k, records, desired.get(k.name)).desired]));
    const fleet = [...desired.values()];
    const accountQuotas = await this.readQuotas(fleet, remembered);
    // A pass of a few tenants saw too little to count the account's resources: the last full pass's count stands.
    if (!few) this.lastModuleReadings = moduleReadings({ modules: this.deps.modules, observations, desired: fleet, records });
    const quotas = accountQuotas && [...accountQuotas, ...this.lastModuleReadings.map((r) => (few ? { ...r, source: `${r.source}, at the last full pass` } : r))];
    const plan = buildPlan({
      ...observed,
      planned,
      desired: fleet,
      known,
      records,
      now: this.deps.now(),
      revision: snapshot.revision,
      guard: { maxDeleteFraction: this.deps.maxDeleteFraction, confirmedRevision: options.confirmedRevision },
      only: options.only,
      ...(quotas ? { quotas } : {}),
    });
    const observedFacts = new Map<string, Readonly<Record<string, unknown>>>();
    // Most of a fleet's tenants have the same facts (a pooled tenant has no role ARN of its own): each set is held once.
    const sharedFacts = sharingBy<Record<string, unknown>>((facts) => JSON.stringify(facts));
    for (const tenant of tenants) {
      const facts: Record<string, unknown> = {};
      for (const module of this.deps.modules) Object.assign(facts, module.describe?.(tenant, observations.get(module.kind)?.tenants.get(tenant)) ?? {});
      observedFacts.set(tenant, sharedFacts(facts));
    }
    return { plan, snapshot, desired, derive, known, knownByName: recorded, loadedByName: loaded, records, observedFacts };
  }

  /** The full records of `names`, a page at a time, into `records`. */
  private async readRecordsInto(records: Map<string, KnownTenant>, names: readonly string[]): Promise<void> {
    for (const page of pages(names, this.pageSize)) for (const record of await this.deps.store.knownTenants(page)) records.set(record.name, record);
  }

  async apply(pass: PlannedPass): Promise<PassReport> {
    const started = this.deps.now();
    const { plan, snapshot } = pass;
    const { knownByName } = pass;
    // The stored statuses are read a page of tenants at a time (one statement a page, never one a tenant),
    // and a page's are let go once its tenants are applied.
    const readStatuses = async (names: readonly string[]) => new Map(names.length === 0 ? [] : (await this.deps.store.statuses(names)).map((record) => [record.tenant, record]));
    // Fleet-wide changes (shared tables' RLS, the bucket lifecycle) go first: tenants rely on them.
    const fleet = await this.applyFleet(plan.fleet, snapshot.revision);
    const outcomes: TenantOutcome[] = [];
    for (const page of pages(plan.tenants, this.pageSize)) {
      const inFlight: PassInFlight = { ...pass, statuses: await readStatuses(page.map((t) => t.tenant)) };
      outcomes.push(...await mapLimit(page, this.deps.concurrency, (tenantPlan) => this.applyIsolated(tenantPlan, inFlight)));
    }
    const statuses = await readStatuses([...plan.held.map((h) => h.tenant), ...plan.quotaHeld.map((h) => h.tenant)]);
    for (const held of plan.held) {
      outcomes.push({ tenant: held.tenant, applied: [], skipped: 'held' });
      const known = knownByName.get(held.tenant);
      const previous = statuses.get(held.tenant);
      await this.deps.store.writeStatus(tenantStatus({ tenant: held.tenant, known, previous, held: held.reason, snapshot, provider: this.deps.providerName, modules: this.deps.modules, now: this.deps.now() }));
    }
    if (plan.held.length > 0) {
      await this.deps.store.recordEvents([{ type: 'Warning', reason: 'DeletionHeld', message: plan.held[0].reason, revision: snapshot.revision }]);
    }
    for (const held of plan.quotaHeld) {
      outcomes.push({ tenant: held.tenant, applied: [], skipped: 'held' });
      const previous = statuses.get(held.tenant);
      const status = tenantStatus({ tenant: held.tenant, desired: pass.desired.get(held.tenant), known: knownByName.get(held.tenant), previous, held: held.reason, heldBy: 'QuotaHeld', snapshot, provider: this.deps.providerName, modules: this.deps.modules, now: this.deps.now() });
      if (!previous || !sameStatus(previous, status)) {
        await this.deps.store.writeStatus(status);
        await this.deps.store.recordEvents([{ type: 'Warning', reason: 'QuotaHeld', message: held.reason, tenant: held.tenant, revision: snapshot.revision }]);
      }
    }
    await this.deps.store.touchReconciled(plan.tenants.map((t) => t.tenant), new Date(this.deps.now()));
    await this.deps.store.pruneEvents(this.deps.eventRetention);
    const report: PassReport = {
      revision: snapshot.revision,
      startedAt: new Date(started).toISOString(),
      durationMs: this.deps.now() - started,
      fleet,
      outcomes,
      held: plan.held,
      changesApplied: fleet.applied.length + outcomes.reduce((n, o) => n + o.applied.length, 0),
      driftCorrected: fleet.applied.filter((c) => c.drift).length + outcomes.reduce((n, o) => n + o.applied.filter((c) => c.drift).length, 0),
    };
    return report;
  }

  /**
   * A tenant's pass, whatever it throws: a statement about this tenant that PostgreSQL refuses
   * (recording its manifest, its status, its events) fails this tenant, retried with backoff,
   * never the pass for the others.
   */
  private async applyIsolated(tenantPlan: TenantPlan, pass: PassInFlight): Promise<TenantOutcome> {
    try {
      return await this.applyTenant(tenantPlan, pass);
    } catch (error) {
      const { tenant } = tenantPlan;
      const desired = pass.desired.get(tenant);
      const outcome: TenantOutcome = {
        tenant, applied: [], skipped: undefined,
        error: { message: `could not record tenant ${tenant}: ${errorMessage(error)}`, retryable: true, code: error instanceof ControllerError ? error.code : undefined },
      };
      this.deps.log.error({ tenant, err: error }, 'could not record the tenant; the other tenants go on');
      outcome.retryAt = this.backoff.failure(tenant, true, desired?.fingerprint ?? fingerprintOf(null));
      const status = tenantStatus({
        tenant, desired, known: pass.knownByName.get(tenant), plan: tenantPlan, outcome, snapshot: pass.snapshot,
        provider: this.deps.providerName, modules: this.deps.modules, now: this.deps.now(), previous: pass.statuses.get(tenant),
        failures: this.backoff.failures(tenant),
      });
      await this.deps.store.writeStatus(status).catch((cause) => this.deps.log.error({ tenant, err: cause }, 'could not write the status of a tenant that failed to record'));
      return outcome;
    }
  }

  private async applyTenant(tenantPlan: TenantPlan, pass: PassInFlight): Promise<TenantOutcome> {
    const { tenant } = tenantPlan;
    const desired = pass.desired.get(tenant);
    // Updated below as this pass records what it applies, so the status reflects this pass.
    let known = pass.knownByName.get(tenant);
    const revision = pass.snapshot.revision;
    const fingerprint = desired?.fingerprint ?? fingerprintOf(null);
    const loaded = pass.loadedByName.get(tenant);
    const outcome: TenantOutcome = { tenant, applied: [], skipped: undefined };
    const events: EventRecord[] = [];
    const actionable = tenantPlan.changes.filter((c) => c.action !== 'noop' && !c.conflict);
    const conflicts = tenantPlan.changes.filter((c) => c.conflict);
    // A child logger only for a tenant with something to apply: one a tenant is a tenth of a no-op pass's CPU.
    const log = actionable.length > 0 ? this.deps.log.child({ tenant, revision }) : this.deps.log;

    if (desired?.paused) {
      outcome.skipped = 'paused';
    } else if (this.backoff.blocked(tenant, fingerprint)) {
      outcome.skipped = 'backoff';
    } else {
      // Recorded only when something about it changed, so a no-op pass does not touch the row.
      const recording = desired && loaded ? recordFingerprints(loaded.manifest, desired) : undefined;
      const state = recording && !(known && known.lifecycle === 'Active' && known.revision === revision &&
          known.manifestFingerprint === recording.manifest && known.desiredFingerprint === recording.desired) ? pass.derive(tenant) : undefined;
      if (loaded && recording && state) {
        const generation = await this.deps.store.recordApplied(loaded.manifest, state, revision, recording);
        if (known) known = { ...known, generation };
      }
      if (!desired && known && known.lifecycle === 'Active') {
        const begun = await beginOffboarding(this.deps.store, known, { now: this.deps.now(), purgeGraceMs: this.deps.purgeGraceMs, revision });
        known = begun.known;
        events.push(begun.event);
      }
      const run = await this.execute(executionOrder(actionable, this.deps.modules), log, revision, tenant, (change, module, changeCtx) =>
        (change.action === 'delete' ? module.delete(change, changeCtx) : module.apply(change, changeCtx)));
      outcome.applied.push(...run.applied);
      if (run.erased) outcome.erased = run.erased;
      events.push(...run.events);
      outcome.error = run.error;
      if (!outcome.error && tenantPlan.errors.length > 0) {
        outcome.error = { message: tenantPlan.errors.map((e) => e.message).join('; '), retryable: true };
      }
      if (outcome.error) {
        outcome.retryAt = this.backoff.failure(tenant, outcome.error.retryable, fingerprint);
      } else {
        this.backoff.success(tenant);
        if (desired && conflicts.length === 0 && !(known?.appliedState === 'desired' && known.desiredFingerprint === fingerprint)) await this.deps.store.markApplied(tenant);
        if (!desired && known) events.push(...await finishOffboarding(this.deps.store, known, tenantPlan, outcome, revision));
      }
    }

    const previous = pass.statuses.get(tenant);
    const status = tenantStatus({
      tenant, desired, known, plan: tenantPlan, outcome, snapshot: pass.snapshot, provider: this.deps.providerName,
      modules: this.deps.modules, now: this.deps.now(), previous, facts: pass.observedFacts.get(tenant) ?? {},
      failures: this.backoff.failures(tenant),
    });
    if (outcome.error && outcome.error.message !== previous?.lastError) {
      events.push({ type: 'Warning', reason: outcome.error.retryable ? 'ReconcileFailed' : 'ReconcileStopped', message: outcome.error.message, tenant, revision });
    }
    const transition = degradedTransition(previous, status, tenant, revision);
    if (transition) events.push(transition);
    for (const conflict of conflicts) {
      if (previous?.lastError !== status.lastError) events.push({ type: 'Warning', reason: 'NotOwned', message: conflict.conflict!, tenant, resource: `${conflict.kind}/${conflict.resource}`, revision });
    }
    // Compared here against the status read at the start of the pass, so an unchanged tenant costs no statement.
    if (!previous || !sameStatus(previous, status)) await this.deps.store.writeStatus(status);
    await this.deps.store.recordEvents(events);
    return outcome;
  }

  /** The fleet-wide changes, once per pass; a failure is logged and the tenants still go on. */
  private async applyFleet(fleet: FleetPlan, revision: string): Promise<FleetOutcome> {
    const log = this.deps.log.child({ revision });
    const actionable = fleet.changes.filter((c) => c.action !== 'noop' && !c.conflict);
    const run = await this.execute(executionOrder(actionable, this.deps.modules), log, revision, undefined, (change, module, ctx) => {
      if (!module.fleet) throw new ProgrammingError(`${module.kind}: a fleet-wide change was planned but the kind has no fleet-wide part`);
      return module.fleet.apply(change, ctx);
    });
    const outcome: FleetOutcome = { applied: run.applied, error: run.error };
    if (!outcome.error && fleet.errors.length > 0) outcome.error = { message: fleet.errors.map((e) => e.message).join('; '), retryable: true };
    if (outcome.error) log.error({ err: outcome.error.message }, 'could not reconcile shared resources');
    await this.deps.store.recordEvents(run.events);
    return outcome;
  }

  /** Runs changes in the order given, stopping at the first failure; one event per applied change. */
  private async execute<C extends FleetChange>(
    changes: readonly C[], log: Logger, revision: string, tenant: string | undefined,
    run: (change: C, module: ResourceModule, ctx: ModuleContext) => Promise<Record<string, number> | void>,
  ): Promise<{ applied: C[]; events: EventRecord[]; erased?: Record<string, Record<string, number>>; error?: ApplyError }> {
    const applied: C[] = [];
    let erased: Record<string, Record<string, number>> | undefined;
    const events: EventRecord[] = [];
    for (const change of changes) {
      const module = this.deps.modules.find((m) => m.kind === change.kind);
      const changeLog = log.child({ resource: `${change.kind}/${change.resource}` });
      try {
        if (!module) throw new ProgrammingError(`no resource module of kind ${change.kind}`);
        const removed = await run(change, module, this.context(changeLog));
        if (removed) erased = { ...erased, [`${change.kind}/${change.resource}`]: { ...removed } };
        applied.push(change);
        changeLog.info({ action: change.action, fields: change.fields, drift: change.drift ?? false }, change.drift ? 'corrected drift' : `${change.action}d resource`);
        events.push({
          type: change.drift ? 'Warning' : 'Normal',
          reason: change.drift ? 'DriftCorrected' : `${capitalize(change.action)}d`,
          message: `${change.action} ${change.kind} ${change.resource}${change.fields.length ? ` (${change.fields.join(', ')})` : ''}`,
          tenant,
          resource: `${change.kind}/${change.resource}`,
          revision,
        });
      } catch (error) {
        const retryable = isRetryable(error);
        changeLog.warn({ err: error, retryable }, 'could not apply change');
        return { applied, events, erased, error: { message: `could not ${change.action} ${change.kind} ${change.resource}: ${errorMessage(error)}`, retryable, code: error instanceof ControllerError ? error.code : undefined, kind: change.kind } };
      }
    }
    return { applied, events, erased };
  }

  private context(log: Logger = this.deps.log): ModuleContext {
    return { log, now: this.deps.now };
  }
}

/** `Degraded` when the condition turns True, `Recovered` when it turns False again: what notifications follow. */
function degradedTransition(previous: TenantStatusRecord | undefined, next: Omit<TenantStatusRecord, 'lastReconcileAt'>, tenant: string, revision: string): EventRecord | undefined {
  const was = previous?.conditions.find((c) => c.type === 'Degraded')?.status === 'True';
  const now = next.conditions.find((c) => c.type === 'Degraded');
  if (!was && now?.status === 'True') return { type: 'Warning', reason: 'Degraded', message: `${now.reason}: ${now.message}`, tenant, revision };
  if (was && now?.status === 'False') return { type: 'Normal', reason: 'Recovered', message: 'no errors since the last pass', tenant, revision };
  return undefined;
}

function sameStatus(stored: TenantStatusRecord, next: Omit<TenantStatusRecord, 'lastReconcileAt'>): boolean {
  const { lastReconcileAt: _at, ...rest } = stored;
  return sameJson({ ...rest, migrationVersion: rest.migrationVersion ?? null }, { ...next, migrationVersion: next.migrationVersion ?? null });
}


function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
