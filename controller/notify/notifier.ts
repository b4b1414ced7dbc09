/**
 * Notifications, from event to receiver. After each pass `collect` turns the events recorded since the
 * last collection (and the agents failing repeatedly) into outbox rows, one statement for all channels;
 * `deliverDue` drains the outbox apart from the pass, under each channel's hourly limit, retrying a failed
 * attempt with exponential backoff (jitter, on the injected clock) until OPENCLAW_NOTIFY_MAX_ATTEMPTS.
 */
import type { Logger } from 'pino';
import type { NotifyConfig } from '../config-notify.js';
import type { Pool } from '../db/pool.js';
import { equalJitterBackoff } from '../../contract/backoff.js';
import { errorMessage, isRetryable } from '../../contract/errors.js';
import type { LoadedChannel } from '../manifests/types.js';
import { agentFailingNotification, channelsFor, notificationOf, type FailingAgent, type Notification, type StoredEvent } from './notification.js';
import { Outbox, type ChannelDelivery } from './outbox.js';
import { send, type SenderDeps } from './senders.js';

export interface NotifierDeps {
  pool: Pool;
  log: Logger;
  config: NotifyConfig;
  /** The channels declared in the revision in force. */
  channels(): readonly LoadedChannel[];
  /** The controller's own state (the collection cursor). */
  state: { getState<T>(key: string): Promise<T | undefined>; setState(key: string, value: unknown): Promise<void> };
  senders: SenderDeps;
  now: () => number;
  random: () => number;
}

/** The id of the last event turned into notifications. */
export const NOTIFY_CURSOR = 'notificationCursor';
/** A claimed row is retried after this when its delivery never reports back (the controller stopped). */
const LEASE_MS = 2 * 60_000;
/** Events read per collection; more wait for the next one. */
const EVENTS_PER_COLLECT = 5_000;

export interface DeliveryRound {
  delivered: number;
  retried: number;
  failed: number;
}

export class Notifier {
  readonly outbox: Outbox;
  private delivering: Promise<DeliveryRound> | undefined;

  constructor(private readonly deps: NotifierDeps) {
    this.outbox = new Outbox(deps.pool, { dedupWindowMs: deps.config.dedupWindowMs, limit: deps.config.outboxLimit, now: deps.now });
  }

  /** At start, before the first pass: a controller notifying for the first time starts from now (history is not news). */
  async prime(): Promise<void> {
    if (await this.deps.state.getState<{ id: number }>(NOTIFY_CURSOR)) return;
    const { rows } = await this.deps.pool.query<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM openclaw.events');
    await this.deps.state.setState(NOTIFY_CURSOR, { id: rows[0].id });
  }

  /** Events since the last collection, and failing agents, into the outbox. Returns how many rows it enqueued. */
  async collect(): Promise<number> {
    const { pool, state, config } = this.deps;
    const cursor = (await state.getState<{ id: number }>(NOTIFY_CURSOR)) ?? { id: 0 };
    const { rows: events } = await pool.query<StoredEvent>(
      `SELECT id::int AS id, at, type, reason, message, tenant, resource, revision FROM openclaw.events
        WHERE id > $1 AND reason = ANY($2) ORDER BY id LIMIT $3`,
      [cursor.id, ['Degraded', 'Recovered', 'DeletionHeld', 'Purged', 'ReauthorizationRequired', 'BudgetExceeded'], EVENTS_PER_COLLECT],
    );
    const notifications: Notification[] = events.flatMap((event) => notificationOf(event, config.opsUrl) ?? []);
    notifications.push(...(await this.failingAgents()).map((failing) => agentFailingNotification(failing, config.opsUrl)));
    const channels = this.deps.channels();
    const enqueued = await this.outbox.enqueue(notifications.flatMap((notification) => channelsFor(notification, channels).map((c) => ({ channel: c.name, notification }))));
    const last = events.at(-1)?.id ?? (await pool.query<{ id: number }>('SELECT coalesce(max(id), $1)::int AS id FROM openclaw.events', [cursor.id])).rows[0].id;
    if (last !== cursor.id) await state.setState(NOTIFY_CURSOR, { id: last });
    if (enqueued > 0) this.deps.log.info({ enqueued }, 'notifications enqueued');
    return enqueued;
  }

  /** Agents whose last `agentFailureThreshold` or more finished runs (the last week) all failed. */
  private async failingAgents(): Promise<FailingAgent[]> {
    const { rows } = await this.deps.pool.query<FailingAgent>(
      `SELECT r.tenant, r.agent, count(*)::int AS failures, max(r.finished_at) AS "lastFailedAt",
              (array_agg(r.reason ORDER BY r.finished_at DESC))[1] AS "lastReason", s.last_success AS since
         FROM openclaw.agent_runs r
         LEFT JOIN (SELECT tenant, agent, max(finished_at) AS last_success FROM openclaw.agent_runs WHERE status = 'succeeded' GROUP BY tenant, agent) s
                ON s.tenant = r.tenant AND s.agent = r.agent
        WHERE r.status = 'failed' AND r.finished_at > coalesce(s.last_success, '-infinity') AND r.finished_at > $1
        GROUP BY r.tenant, r.agent, s.last_success HAVING count(*) >= $2`,
      [new Date(this.deps.now() - 7 * 86_400_000), this.deps.config.agentFailureThreshold],
    );
    return rows;
  }

  /** One round of deliveries; a round already running is joined, never doubled. */
  deliverDue(): Promise<DeliveryRound> {
    this.delivering ??= this.deliverRound().finally(() => { this.delivering = undefined; });
    return this.delivering;
  }

  /** Settles when no delivery round is running (shutdown waits for the one in flight, starts none). */
  async idle(): Promise<void> {
    await this.delivering?.catch(() => undefined);
  }

  private async deliverRound(): Promise<DeliveryRound> {
    const round: DeliveryRound = { delivered: 0, retried: 0, failed: 0 };
    const channels = new Map(this.deps.channels().map((c) => [c.name, c]));
    const allowance = (name: string, sent: number) => {
      const channel = channels.get(name);
      return channel ? channel.manifest.spec.maxPerHour - sent : 1;
    };
    for (const row of await this.outbox.claim(allowance, LEASE_MS)) {
      const channel = channels.get(row.channel);
      const log = this.deps.log.child({ channel: row.channel, notification: row.id, event: row.payload.event, tenant: row.payload.tenant });
      if (!channel) {
        await this.outbox.attemptFailed(row.id, `channel ${row.channel} is no longer declared`, undefined);
        round.failed += 1;
        continue;
      }
      try {
        await send(channel, row.payload, row.id, this.deps.senders);
        await this.outbox.delivered(row.id);
        round.delivered += 1;
      } catch (error) {
        const retryAt = isRetryable(error) && row.attempts < this.deps.config.maxAttempts ? this.deps.now() + this.backoffMs(row.attempts) : undefined;
        await this.outbox.attemptFailed(row.id, errorMessage(error), retryAt);
        if (retryAt === undefined) round.failed += 1;
        else round.retried += 1;
        log.warn({ err: errorMessage(error), attempts: row.attempts, retryAt: retryAt && new Date(retryAt).toISOString() }, retryAt ? 'notification not delivered; will retry' : 'notification not delivered; given up');
      }
    }
    return round;
  }

  /** Exponential from the base, capped, with equal jitter: half fixed, half drawn. */
  backoffMs(attempts: number): number {
    const { backoffBaseMs, backoffMaxMs } = this.deps.config;
    return equalJitterBackoff(attempts, { baseMs: backoffBaseMs, maxMs: backoffMaxMs }, this.deps.random);
  }

  /** Every declared channel with its deliveries, and channels no longer declared that still have rows. */
  async deliveries(): Promise<(ChannelDelivery & { type?: string; events?: string[]; declared: boolean })[]> {
    return channelDeliveries(this.deps.channels(), await this.outbox.deliveries());
  }
}

export function channelDeliveries(declared: readonly LoadedChannel[], rows: readonly ChannelDelivery[]): (ChannelDelivery & { type?: string; events?: string[]; declared: boolean })[] {
  const byName = new Map(rows.map((row) => [row.channel, row]));
  const empty = (channel: string): ChannelDelivery => ({ channel, pending: 0, delivered: 0, failed: 0, dropped: 0, lastDeliveredAt: null, lastError: null, lastErrorAt: null, recent: [] });
  const listed = declared.map((c) => ({ ...(byName.get(c.name) ?? empty(c.name)), type: c.manifest.spec.type, events: c.manifest.spec.events, declared: true }));
  const gone = rows.filter((row) => !declared.some((c) => c.name === row.channel)).map((row) => ({ ...row, declared: false }));
  return [...listed, ...gone];
}
