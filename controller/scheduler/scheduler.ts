import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DesiredTenant } from '../desired/types.js';
import { latestFires, nextFire } from './cron.js';
import type { Dispatcher } from './dispatcher.js';
import { scheduleEntries, type ScheduleEntry } from './entries.js';
import type { NewRun, RunHistory, RunRecord } from './history.js';
import { resumeFrom, syncSchedules } from './schedules.js';

export interface SchedulerOptions {
  history: RunHistory;
  dispatcher: Dispatcher;
  now: () => number;
  log: Logger;
  /** Missed fires recorded one by one after an outage, newest first (older ones are summarised). */
  missedRecordLimit?: number;
}

interface Cursor {
  /** The last fire dealt with (run, skipped or recorded missed). */
  at: number;
  next: number | undefined;
}

/**
 * Cron → runs, for every active agent of every tenant. The entries come from desired state after each
 * pass; the cursors (last fire dealt with) come from the run history in PostgreSQL whenever this replica
 * becomes the leader, so missed fires are found after a restart or a handover, never from memory.
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
  private entries = new Map<string, ScheduleEntry>();
  private readonly cursors = new Map<string, Cursor>();
  private synced = false;
  private leading = false;
  private needsLoad = false;
  private leaderSince = 0;

  constructor(private readonly options: SchedulerOptions) {}

  /** New desired state (after every pass): schedules, suspensions and tier changes apply from the next tick. */
  async update(tenants: Iterable<DesiredTenant>): Promise<void> {
    const next = new Map(scheduleEntries(tenants).map((e) => [e.key, e]));
    const changed = [...next.values()].filter((e) => this.entries.get(e.key)?.label !== e.label);
    const removed = [...this.entries.keys()].filter((key) => !next.has(key));
    this.entries = next;
    this.synced = true;
    for (const key of removed) this.cursors.delete(key);
    if (!this.leading || this.needsLoad || (changed.length === 0 && removed.length === 0)) return;
    const now = this.options.now();
    const resume = await syncSchedules(this.options.history.pool, [...next.values()], now);
    for (const entry of changed) this.cursors.set(entry.key, this.cursorAt(entry, resumeFrom(resume.get(entry.key), now)));
  }

  entry(tenant: string, agent: string): ScheduleEntry | undefined {
    return this.entries.get(`${tenant}/${agent}`);
  }

  allEntries(): ScheduleEntry[] {
    return [...this.entries.values()];
  }

  /** Leading from now: cursors are (re)loaded from the run history on the next tick. */
  becomeLeader(): void {
    this.leading = true;
    this.needsLoad = true;
  }

  resign(): void {
    this.leading = false;
    this.cursors.clear();
  }

  /** Claims every fire due up to now. Launches happen in the dispatcher's queue. */
  async tick(): Promise<void> {
    if (!this.leading || !this.synced) return;
    const now = this.options.now();
    if (this.needsLoad) await this.load(now);
    for (const entry of this.entries.values()) {
      const cursor = this.cursors.get(entry.key);
      if (!cursor || cursor.next === undefined || cursor.next > now) continue;
      // One entry's failure (its concurrency check could not reach ECS) never holds the others back: its cursor
      // stays, so the next tick tries the fire again, within its starting deadline.
      await this.fire(entry, cursor, now).catch((error) => this.options.log.warn({ tenant: entry.tenant, agent: entry.agent, err: error }, 'could not schedule the fire; trying again'));
    }
    await this.retryLaunches(now);
  }

  /** Pending runs whose launch retry is due: launched again under the same id; those of an agent no longer active fail. */
  private async retryLaunches(now: number): Promise<void> {
    for (const run of await this.options.history.takeDueLaunches(new Date(now))) {
      const entry = this.entries.get(`${run.tenant}/${run.agent}`);
      if (entry) this.options.dispatcher.resume(run, entry);
      else await this.options.history.finish(run.id, { status: 'failed', at: new Date(now), reason: 'launch not retried: the agent is no longer active' }, ['pending']);
    }
  }

  /** Runs claimed by an earlier leader but never launched: resumed within their deadline, else failed. */
  async recover(pending: RunRecord[], now: number): Promise<void> {
    for (const run of pending) {
      const entry = this.entries.get(`${run.tenant}/${run.agent}`);
      if (entry && now - run.scheduledAt.getTime() <= entry.startingDeadlineMs) {
        this.options.dispatcher.resume(run, entry);
      } else {
        const reason = entry ? 'launch interrupted (controller stopped) and the starting deadline has passed' : 'launch interrupted; the agent is no longer active';
        await this.options.history.finish(run.id, { status: 'failed', at: new Date(now), reason }, ['pending']);
      }
    }
  }

  private async load(now: number): Promise<void> {
    const resume = await syncSchedules(this.options.history.pool, [...this.entries.values()], now);
    this.cursors.clear();
    for (const entry of this.entries.values()) this.cursors.set(entry.key, this.cursorAt(entry, resumeFrom(resume.get(entry.key), now)));
    this.leaderSince = now;
    this.needsLoad = false;
    await this.recover(await this.options.history.unfinished('pending'), now);
    this.options.log.info({ entries: this.entries.size }, 'schedules loaded from the run history');
  }

  /** Fires after `at` are due. */
  private cursorAt(entry: ScheduleEntry, at: number): Cursor {
    return { at, next: nextFire(entry.schedule, entry.timezone, at) };
  }

  private async fire(entry: ScheduleEntry, cursor: Cursor, now: number): Promise<void> {
    const limit = this.options.missedRecordLimit ?? 100;
    const { fires, more } = latestFires(entry.schedule, entry.timezone, cursor.at, now, limit);
    const inTime = fires.filter((at) => now - at <= entry.startingDeadlineMs);
    const launchAt = inTime.at(-1);
    const run = (at: number, reason: string): NewRun & { reason: string } => ({
      id: randomUUID(), tenant: entry.tenant, agent: entry.agent, scheduledAt: new Date(at),
      trigger: at < this.leaderSince ? 'catch-up' : 'schedule', schedule: entry.label, reason,
    });
    const deadline = `not started within the starting deadline of ${entry.startingDeadlineMs / 1000}s (no controller was scheduling)`;
    const skipped = fires.filter((at) => at !== launchAt).map((at, i) => inTime.includes(at)
      ? run(at, 'superseded: a later fire of the same schedule was due at the same time')
      : run(at, i === 0 && more ? `missed: ${deadline}; earlier fires since ${new Date(cursor.at).toISOString()} were missed too` : `missed: ${deadline}`));
    if (skipped.length > 0) {
      await this.options.history.recordSkipped(skipped, new Date(now));
      this.options.log.warn({ tenant: entry.tenant, agent: entry.agent, skipped: skipped.length, more }, 'fires skipped');
    }
    if (launchAt !== undefined) await this.options.dispatcher.submit(entry, launchAt, launchAt < this.leaderSince ? 'catch-up' : 'schedule');
    cursor.at = fires.at(-1) ?? now;
    cursor.next = nextFire(entry.schedule, entry.timezone, cursor.at);
  }
}
