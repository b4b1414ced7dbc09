import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DesiredContext } from '../desired/types.js';
import { latestFires, nextFire } from './cron.js';
import type { Dispatcher } from './dispatcher.js';
import { entryKey, type ScheduleEntry } from './entries.js';
import type { NewRun, RunHistory, RunRecord } from './history.js';
import { resumeFrom, syncSchedules } from './schedules.js';
import { entryOf, SlotTable, type ScheduledTenant, type Slot } from './slots.js';

export interface SchedulerOptions {
  history: RunHistory;
  dispatcher: Dispatcher;
  now: () => number;
  log: Logger;
  /** What a run's entry is derived again with when it is dispatched. */
  desiredContext: DesiredContext;
  /** Missed fires recorded one by one after an outage, newest first (older ones are summarised). */
  missedRecordLimit?: number;
}

/**
 * Cron → runs, for every active agent of every tenant. The slots (slots.ts: what ticking reads) come
 * from desired state after each pass; a run's full entry is derived again from its tenant's manifest
 * when it is dispatched, so it is the newest pass's without being held between passes. The cursors
 * (last fire dealt with) come from the run history in PostgreSQL whenever this replica becomes the
 * leader, so missed fires are found after a restart or a handover, never from memory.
 *
 * Rules, per entry, for the fires due since its cursor:
 * - the latest fire within startingDeadlineSeconds runs ('schedule', or 'catch-up' when it fell due
 *   before this replica started leading); earlier ones within the deadline are skipped as superseded;
 * - fires older than the deadline are recorded as skipped, missed;
 * - fires count from the later of the last recorded fire and the moment the entry became active with
 *   its schedule (openclaw.agent_schedules): a new agent, a tier upgrade, the end of a suspension or a
 *   changed schedule start from then, and an agent whose first fire fell into an outage is caught up.
 */
export class Scheduler {
  private readonly slots = new SlotTable();
  private synced = false;
  private leading = false;
  private needsLoad = false;
  private leaderSince = 0;

  constructor(private readonly options: SchedulerOptions) {}

  /** New desired state (after every pass): schedules, suspensions and tier changes apply from the next tick. */
  async update(tenants: Iterable<ScheduledTenant>): Promise<void> {
    const { changed, removed } = this.slots.replace(tenants);
    this.synced = true;
    if (!this.leading || this.needsLoad || (changed.length === 0 && removed === 0)) return;
    const now = this.options.now();
    const resume = await syncSchedules(this.options.history.pool, [...this.slots.values()], now);
    for (const slot of changed) this.place(slot, resumeFrom(resume.get(entryKey(slot.tenant, slot.kind.agent)), now));
  }

  /** The entry a run of `agent` of `tenant` would be dispatched with now, if the agent is scheduled. */
  entry(tenant: string, agent: string): ScheduleEntry | undefined {
    const slot = this.slots.find(tenant, agent);
    return slot && entryOf(slot, this.options.desiredContext);
  }

  /** The `<tenant>/<agent>` key of every scheduled agent. */
  keys(): string[] {
    return [...this.slots.values()].map((slot) => entryKey(slot.tenant, slot.kind.agent));
  }

  /** Leading from now: cursors are (re)loaded from the run history on the next tick. */
  becomeLeader(): void {
    this.leading = true;
    this.needsLoad = true;
  }

  resign(): void {
    this.leading = false;
    for (const slot of this.slots.values()) slot.at = slot.next = undefined;
  }

  /** Claims every fire due up to now. Launches happen in the dispatcher's queue. */
  async tick(): Promise<void> {
    if (!this.leading || !this.synced) return;
    const now = this.options.now();
    if (this.needsLoad) await this.load(now);
    for (const slot of this.slots.values()) {
      if (slot.at === undefined || slot.next === undefined || slot.next > now) continue;
      // One entry's failure (its concurrency check could not reach ECS) never holds the others back: its cursor
      // stays, so the next tick tries the fire again, within its starting deadline.
      await this.fire(slot, slot.at, now).catch((error) => this.options.log.warn({ tenant: slot.tenant, agent: slot.kind.agent, err: error }, 'could not schedule the fire; trying again'));
    }
    await this.retryLaunches(now);
  }

  /** Pending runs whose launch retry is due: launched again under the same id; those of an agent no longer active fail. */
  private async retryLaunches(now: number): Promise<void> {
    for (const run of await this.options.history.takeDueLaunches(new Date(now))) {
      const entry = this.entry(run.tenant, run.agent);
      if (entry) this.options.dispatcher.resume(run, entry);
      else await this.options.history.finish(run.id, { status: 'failed', at: new Date(now), reason: 'launch not retried: the agent is no longer active' }, ['pending']);
    }
  }

  /** Runs claimed by an earlier leader but never launched: resumed within their deadline, else failed. */
  async recover(pending: RunRecord[], now: number): Promise<void> {
    for (const run of pending) {
      const entry = this.entry(run.tenant, run.agent);
      if (entry && now - run.scheduledAt.getTime() <= entry.startingDeadlineMs) {
        this.options.dispatcher.resume(run, entry);
      } else {
        const reason = entry ? 'launch interrupted (controller stopped) and the starting deadline has passed' : 'launch interrupted; the agent is no longer active';
        await this.options.history.finish(run.id, { status: 'failed', at: new Date(now), reason }, ['pending']);
      }
    }
  }

  private async load(now: number): Promise<void> {
    const resume = await syncSchedules(this.options.history.pool, [...this.slots.values()], now);
    for (const slot of this.slots.values()) this.place(slot, resumeFrom(resume.get(entryKey(slot.tenant, slot.kind.agent)), now));
    this.leaderSince = now;
    this.needsLoad = false;
    await this.recover(await this.options.history.unfinished('pending'), now);
    this.options.log.info({ entries: this.slots.size }, 'schedules loaded from the run history');
  }

  /** Places the slot's cursor: fires after `at` are due. */
  private place(slot: Slot, at: number): void {
    slot.at = at;
    slot.next = nextFire(slot.kind.schedule, slot.kind.timezone, at);
  }

  /** The fires of `slot` due since `since` (its cursor), up to now. */
  private async fire(slot: Slot, since: number, now: number): Promise<void> {
    const limit = this.options.missedRecordLimit ?? 100;
    const { kind, tenant } = slot;
    const { agent } = kind;
    const { fires, more } = latestFires(kind.schedule, kind.timezone, since, now, limit);
    const inTime = fires.filter((at) => now - at <= kind.startingDeadlineMs);
    const launchAt = inTime.at(-1);
    const run = (at: number, reason: string): NewRun & { reason: string } => ({
      id: randomUUID(), tenant, agent, scheduledAt: new Date(at),
      trigger: at < this.leaderSince ? 'catch-up' : 'schedule', schedule: kind.label, reason,
    });
    const deadline = `not started within the starting deadline of ${kind.startingDeadlineMs / 1000}s (no controller was scheduling)`;
    const skipped = fires.filter((at) => at !== launchAt).map((at, i) => inTime.includes(at)
      ? run(at, 'superseded: a later fire of the same schedule was due at the same time')
      : run(at, i === 0 && more ? `missed: ${deadline}; earlier fires since ${new Date(since).toISOString()} were missed too` : `missed: ${deadline}`));
    if (skipped.length > 0) {
      await this.options.history.recordSkipped(skipped, new Date(now));
      this.options.log.warn({ tenant, agent, skipped: skipped.length, more }, 'fires skipped');
    }
    if (launchAt !== undefined) {
      const entry = entryOf(slot, this.options.desiredContext);
      if (entry) await this.options.dispatcher.submit(entry, launchAt, launchAt < this.leaderSince ? 'catch-up' : 'schedule');
      else this.options.log.warn({ tenant, agent }, 'fire not launched: the agent is not active in its tenant\'s desired state');
    }
    this.place(slot, fires.at(-1) ?? now);
  }
}
