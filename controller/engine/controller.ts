import type { Logger } from 'pino';
import type { DesiredContext } from '../desired/types.js';
import { errorMessage } from '../../contract/errors.js';
import { formatIssue } from '../manifests/validate.js';
import type { ManifestSource, SourceSnapshot } from '../source/types.js';
import type { StatusStore } from '../status/store.js';
import { annotatedConfirmations, confirmedRevisionFor, nextHeldRecords, CONFIRMED_DELETION, HELD_DELETIONS, type HeldDeletion } from './confirmation.js';
import { operatorPauses } from './pauses.js';
import { HEADROOM_STATE } from './quota.js';
import { manifestDesiredFingerprint } from './fingerprint.js';
import type { PassReport, PlannedPass, Reconciler } from './reconciler.js';

export interface ControllerLoopOptions {
  source: ManifestSource;
  reconciler: Reconciler;
  store: StatusStore;
  log: Logger;
  desiredContext: DesiredContext;
  now: () => number;
  resyncIntervalMs: number;
  sourceIntervalMs: number;
  /** An operator's confirmation of a revision that offboards many tenants (CLI flag or stored). */
  confirmedRevision?: () => Promise<string | undefined>;
}

export type PassListener = (report: PassReport, pass: PlannedPass) => Promise<void> | void;
/** A new revision was rejected (invalid or empty): `reason` starts with the first error. */
export type RejectionListener = (revision: string, reason: string) => void;

export interface PassOptions {
  only?: ReadonlySet<string>;
  onPlanned?: (pass: PlannedPass) => void;
}

/**
 * The run loop: reads the source, keeps the last good revision when a new one is invalid
 * or unreadable, runs a full pass on start and every resync interval, and an immediate
 * pass for just the tenants whose manifests changed. Passes never overlap.
 */
export class ControllerLoop {
  private lastGood: SourceSnapshot | undefined;
  private fingerprints = new Map<string, string>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners: PassListener[] = [];
  private readonly rejectionListeners: RejectionListener[] = [];
  private stopped = false;
  /** The last read of the source failed and `sourceError` says why (unknown at start: a previous process may have left one). */
  private sourceFailing = true;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  /** trigger() came before run() reached its poll loop. */
  private wakeEarly = false;
  private lastFullPass = 0;
  firstPassDone = false;
  /**
   * The last pass's report, kept between passes with the outcomes of the tenants that did not simply stay
   * converged (an error, a skip, a change): a tenant in backoff is among them. One outcome a tenant was
   * 12 MB held at 100,000 tenants.
   */
  lastReport: PassReport | undefined;

  constructor(private readonly options: ControllerLoopOptions) {}

  onPass(listener: PassListener): void {
    this.listeners.push(listener);
  }

  onRejected(listener: RejectionListener): void {
    this.rejectionListeners.push(listener);
  }

  get appliedSnapshot(): SourceSnapshot | undefined {
    return this.lastGood;
  }

  /** Reads the source; returns the snapshot to act on (the new one, or the last good one). */
  async refreshSource(): Promise<{ snapshot?: SourceSnapshot; changed: boolean }> {
    let snapshot: SourceSnapshot;
    try {
      snapshot = await this.options.source.load();
    } catch (error) {
      this.options.log.warn({ err: error, source: this.options.source.describe() }, 'could not read manifest source; keeping the last good revision');
      await this.options.store.setState('sourceError', { at: new Date(this.options.now()).toISOString(), message: errorMessage(error) });
      this.sourceFailing = true;
      return { snapshot: this.lastGood, changed: false };
    }
    return this.accept(snapshot);
  }

  /**
   * Takes a snapshot already read from the source: a valid, non-empty new revision becomes the
   * one in force; an invalid or empty one is rejected (recorded once) and the last good one stays.
   */
  async accept(snapshot: SourceSnapshot): Promise<{ snapshot?: SourceSnapshot; changed: boolean }> {
    const { log, store } = this.options;
    if (this.sourceFailing) {
      this.sourceFailing = false;
      await store.setState('sourceError', null);
    }
    if (snapshot.revision === this.lastGood?.revision) return { snapshot: this.lastGood, changed: false };
    const rejection = rejectionOf(snapshot);
    if (rejection) {
      const previous = await store.getState<{ revision: string }>('rejectedRevision');
      if (previous?.revision !== snapshot.revision) {
        log.error({ rejectedRevision: snapshot.revision, issues: snapshot.issues.slice(0, 20).map(formatIssue) }, 'revision rejected; the last good revision stays in force');
        await store.setState('rejectedRevision', { revision: snapshot.revision, reason: rejection, at: new Date(this.options.now()).toISOString() });
        await store.markRejected(snapshot.revision, rejection);
        await store.recordEvents([{ type: 'Warning', reason: 'RevisionRejected', message: `revision ${snapshot.revision} rejected: ${rejection}`, revision: snapshot.revision }]);
        for (const listener of this.rejectionListeners) listener(snapshot.revision, rejection);
      }
      return { snapshot: this.lastGood, changed: false };
    }
    if (this.lastGood) log.info({ from: this.lastGood.revision, to: snapshot.revision }, 'new revision');
    this.lastGood = snapshot;
    await store.setState('appliedRevision', { revision: snapshot.revision, at: new Date(this.options.now()).toISOString() });
    await store.setState('rejectedRevision', null);
    await store.clearRejected();
    return { snapshot, changed: true };
  }

  /**
   * One full pass (or only `tenants`): plan and apply, serialized with every other pass.
   * `onPlanned` sees the plan before it is applied (`tenantctl apply` prints it).
   */
  pass(options: PassOptions = {}): Promise<PassReport | undefined> {
    const run = this.chain.then(() => this.runPass(options));
    this.chain = run.catch(() => {});
    return run;
  }

  private async runPass(options: PassOptions): Promise<PassReport | undefined> {
    const { reconciler, log, store } = this.options;
    const snapshot = this.lastGood;
    if (!snapshot) return undefined;
    const { planned, confirmation } = await this.planFor(snapshot, { only: options.only });
    options.onPlanned?.(planned);
    const report = await reconciler.apply(planned);
    await this.rememberHeld(report, confirmation);
    if (!options.only) {
      this.lastFullPass = this.options.now();
      await store.setState('lastPass', { at: report.startedAt, durationMs: report.durationMs, revision: report.revision, changes: report.changesApplied, drift: report.driftCorrected });
      if (planned.plan.forecast) await store.setState(HEADROOM_STATE, planned.plan.forecast);
    }
    this.firstPassDone = true;
    this.lastReport = { ...report, outcomes: report.outcomes.filter((o) => o.error || o.skipped || o.applied.length > 0) };
    // The plan already derived every desired tenant; remember their fingerprints to spot the next change.
    this.fingerprints = new Map([...planned.desired].map(([name, desired]) => [name, desired.fingerprint]));
    log.info({ revision: report.revision, tenants: report.outcomes.length, changes: report.changesApplied, drift: report.driftCorrected, held: report.held.length, durationMs: report.durationMs, only: options.only ? [...options.only] : undefined }, 'reconcile pass done');
    for (const listener of this.listeners) {
      try {
        await listener(report, planned);
      } catch (error) {
        log.error({ err: error }, 'a pass listener failed');
      }
    }
    return report;
  }

  /**
   * The plan a pass would apply to `snapshot`, from the same inputs as the pass: `tenantctl plan`
   * prints it. `confirmedRevision` stands for `--confirm-deletion`, which apply stores before its pass.
   */
  async planFor(snapshot: SourceSnapshot, options: { only?: ReadonlySet<string>; confirmedRevision?: string } = {}): Promise<{ planned: PlannedPass; confirmation: { revision?: string; stored?: string; by?: string } }> {
    const confirmation = await this.confirmation(snapshot, options.confirmedRevision);
    const paused = new Set(Object.keys(await operatorPauses(this.options.store)));
    const planned = await this.options.reconciler.plan(snapshot, { only: options.only, confirmedRevision: confirmation.revision, paused });
    return { planned, confirmation };
  }

  /**
   * The revision the mass-deletion guard may treat as confirmed: the operator's CLI
   * confirmation, or an `openclaw.io/confirm-deletion` annotation on a remaining tenant,
   * naming this revision or an earlier one the guard held (see confirmedRevisionFor).
   */
  async confirmation(snapshot: SourceSnapshot, confirmedRevision?: string): Promise<{ revision?: string; stored?: string; by?: string }> {
    const stored = confirmedRevision ?? await this.options.confirmedRevision?.();
    const named = [...(stored ? [stored] : []), ...annotatedConfirmations(snapshot)];
    if (named.length === 0) return {};
    const { store } = this.options;
    const held = (await store.getState<HeldDeletion[]>(HELD_DELETIONS)) ?? [];
    const present = new Set(snapshot.tenants.map((t) => t.name));
    const departing = (await store.tenantSummaries()).filter((k) => k.lifecycle === 'Active' && !present.has(k.name)).map((k) => k.name);
    const confirmed = confirmedRevisionFor({ revision: snapshot.revision, departing, named, held });
    return { revision: confirmed?.revision, stored, by: confirmed?.by };
  }

  /** Remembers what the guard held (a later confirmation covers exactly that); forgets a confirmation once used. */
  private async rememberHeld(report: PassReport, confirmation: { stored?: string; by?: string }): Promise<void> {
    const { store } = this.options;
    const records = (await store.getState<HeldDeletion[]>(HELD_DELETIONS)) ?? [];
    const next = nextHeldRecords(records, { revision: report.revision, held: report.held, at: new Date(this.options.now()).toISOString() });
    if (next) await store.setState(HELD_DELETIONS, next);
    if (report.held.length === 0 && confirmation.stored !== undefined && confirmation.by === confirmation.stored) {
      await store.setState(CONFIRMED_DELETION, null);
      this.options.log.info({ revision: report.revision, confirmed: confirmation.stored }, 'confirmed deletion applied; the confirmation is used up');
    }
  }

  /** A push webhook: fetch at once and reconcile what changed, without waiting for the poll interval. */
  trigger(): void {
    this.options.source.trigger?.();
    if (this.wake) this.wake();
    else this.wakeEarly = true;
  }

  /** Which tenants a new snapshot changes: added, changed or removed. */
  changedTenants(snapshot: SourceSnapshot): Set<string> {
    const next = new Map(snapshot.tenants.map((t) => [t.name, manifestDesiredFingerprint(t.manifest, this.options.desiredContext)]));
    const changed = new Set<string>();
    for (const [name, fp] of next) if (this.fingerprints.get(name) !== fp) changed.add(name);
    for (const name of this.fingerprints.keys()) if (!next.has(name)) changed.add(name);
    return changed;
  }

  /**
   * Reads the source; a new revision gets a pass for just the tenants it changes (a full pass when one
   * was removed, or on the first revision). An unchanged source runs no pass.
   */
  async applyNewRevision(): Promise<{ changed: boolean; report?: PassReport }> {
    const previous = this.lastGood;
    const { snapshot, changed } = await this.refreshSource();
    if (!snapshot || !changed) return { changed: false };
    const only = previous ? this.changedTenants(snapshot) : undefined;
    const removed = only && [...only].some((name) => !snapshot.tenants.some((t) => t.name === name));
    return { changed: true, report: await this.pass(removed || !only ? {} : { only }) };
  }

  /**
   * One turn of the loop: a new revision → a pass for just the tenants it changes (a full pass when
   * one was removed); else a full resync when it is due; else the tenants whose backoff expired.
   * Returns the pass it ran, if any. `run()` calls it every source interval; tests call it directly.
   */
  async tick(): Promise<PassReport | undefined> {
    if (this.stopped) return undefined;
    try {
      const fresh = await this.applyNewRevision();
      if (fresh.changed) return fresh.report;
      if (this.options.now() - this.lastFullPass >= this.options.resyncIntervalMs) return await this.pass();
      const due = this.options.reconciler.backoff.dueTenants();
      if (due.length > 0) return await this.pass({ only: new Set(due) });
    } catch (error) {
      this.options.log.error({ err: error }, 'reconcile pass failed');
    }
    return undefined;
  }

  /** Runs until stop(): first pass at once, then source polls, resyncs and backoff retries. */
  async run(): Promise<void> {
    const { log } = this.options;
    await this.refreshSource();
    if (!this.lastGood) log.warn({ source: this.options.source.describe() }, 'no valid revision yet; waiting for one');
    await this.pass().catch((error) => log.error({ err: error }, 'reconcile pass failed'));
    const tick = () => this.tick();
    await new Promise<void>((resolve) => {
      let ticking = false;
      let again = false;
      const loop = async () => {
        ticking = true;
        await tick();
        ticking = false;
        if (this.stopped) return resolve();
        this.timer = setTimeout(loop, again ? 0 : this.options.sourceIntervalMs);
        again = false;
      };
      this.wake = () => {
        if (this.stopped) return;
        if (ticking) {
          again = true;
          return;
        }
        clearTimeout(this.timer);
        this.timer = setTimeout(loop, 0);
      };
      this.timer = setTimeout(loop, this.wakeEarly ? 0 : this.options.sourceIntervalMs);
      this.wakeEarly = false;
      this.resolveRun = resolve;
    });
  }

  private resolveRun: (() => void) | undefined;

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.resolveRun?.();
    await this.chain;
  }
}

/** Pure: why a snapshot cannot be put in force (invalid, or empty), if it cannot. Plan and apply judge by this same rule. */
export function rejectionOf(snapshot: SourceSnapshot): string | undefined {
  if (snapshot.issues.length > 0) return `${snapshot.issues.length} validation error(s): ${snapshot.issues.slice(0, 5).map(formatIssue).join('; ')}`;
  if (snapshot.fileCount === 0) return 'the source holds no manifest files; an empty source never deletes tenants';
  return undefined;
}
