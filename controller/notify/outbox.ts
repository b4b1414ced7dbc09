/**
 * The notification outbox in the controller's schema (migrations/controller/0050): a pass enqueues into it
 * in one statement and goes on; the delivery worker claims due rows, sends them and records the outcome.
 * Rows are claimed by moving their next attempt a lease ahead, so a controller that dies mid-delivery
 * leaves them to be retried (at least once), and two replicas never send the same row at the same time.
 */
import type { Pool } from '../db/pool.js';
import type { Notification } from './notification.js';

export interface OutboxRow {
  id: number;
  channel: string;
  attempts: number;
  payload: Notification;
}

export interface ChannelDelivery {
  channel: string;
  pending: number;
  delivered: number;
  failed: number;
  dropped: number;
  lastDeliveredAt: string | null;
  /** The last failed attempt (retried or given up), with when. */
  lastError: string | null;
  lastErrorAt: string | null;
  /** The newest notifications of the channel (RECENT_PER_CHANNEL), newest first. */
  recent: RecentDelivery[];
}

/** One notification of a channel as ops see it: what, for whom, how it went. Never the channel's address. */
export interface RecentDelivery {
  id: number;
  event: string;
  tenant: string | null;
  title: string;
  state: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  /** When it was delivered, given up or dropped; else its last attempt, else when it was enqueued. */
  at: string | null;
  error: string | null;
}

/** Notifications listed per channel in its status. */
export const RECENT_PER_CHANNEL = 5;

/** Rows finished (delivered, failed, dropped) longer ago than this are deleted. */
const KEEP_FINISHED_MS = 7 * 86_400_000;

export class Outbox {
  constructor(private readonly pool: Pool, private readonly options: { dedupWindowMs: number; limit: number; now: () => number }) {}

  /**
   * Enqueues each (channel, notification) unless the same key went to that channel within the dedup window;
   * then drops the oldest undelivered rows of a channel past the limit. Returns how many were enqueued.
   */
  async enqueue(items: readonly { channel: string; notification: Notification }[]): Promise<number> {
    const unique = [...new Map(items.map((item) => [`${item.channel}\0${item.notification.key}`, item])).values()];
    if (unique.length === 0) return 0;
    const now = new Date(this.options.now());
    const rows = unique.map(({ channel, notification }) => ({ channel, dedup_key: notification.key, event: notification.event, tenant: notification.tenant ?? null, payload: notification }));
    const { rowCount } = await this.pool.query(
      `INSERT INTO openclaw.notification_outbox (channel, dedup_key, event, tenant, payload, created_at, next_attempt_at)
       SELECT r.channel, r.dedup_key, r.event, r.tenant, r.payload, $2, $2
         FROM jsonb_to_recordset($1::jsonb) AS r(channel text, dedup_key text, event text, tenant text, payload jsonb)
        WHERE NOT EXISTS (SELECT 1 FROM openclaw.notification_outbox o
                           WHERE o.channel = r.channel AND o.dedup_key = r.dedup_key AND o.created_at > $2::timestamptz - make_interval(secs => $3::float8 / 1000))`,
      [JSON.stringify(rows), now, this.options.dedupWindowMs],
    );
    if ((rowCount ?? 0) > 0) await this.bound(now);
    return rowCount ?? 0;
  }

  /** Keeps at most `limit` undelivered rows per channel (the newest), and finished rows for a week. */
  private async bound(now: Date): Promise<void> {
    await this.pool.query(
      `UPDATE openclaw.notification_outbox SET state = 'dropped', finished_at = $2, last_error = 'dropped: more than ' || $1 || ' undelivered notifications on this channel'
        WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY channel ORDER BY id DESC) AS n
                                       FROM openclaw.notification_outbox WHERE state = 'pending') q WHERE n > $1)`,
      [this.options.limit, now],
    );
    await this.pool.query(`DELETE FROM openclaw.notification_outbox WHERE state <> 'pending' AND finished_at < $1`, [new Date(now.getTime() - KEEP_FINISHED_MS)]);
  }

  /**
   * Claims due rows, at most `allowance(channel)` per channel (its rate limit), and leases them for
   * `leaseMs`: the attempt counter goes up now, so a crash mid-delivery still counts the attempt.
   */
  async claim(allowance: (channel: string, sentLastHour: number) => number, leaseMs: number, batch = 50): Promise<OutboxRow[]> {
    const now = new Date(this.options.now());
    const { rows: channels } = await this.pool.query<{ channel: string; sent: number }>(
      `SELECT channel, count(*) FILTER (WHERE state = 'delivered' AND finished_at > $1::timestamptz - interval '1 hour')::int AS sent
         FROM openclaw.notification_outbox
        WHERE (state = 'pending' AND next_attempt_at <= $1) OR (state = 'delivered' AND finished_at > $1::timestamptz - interval '1 hour')
        GROUP BY channel HAVING count(*) FILTER (WHERE state = 'pending') > 0`,
      [now],
    );
    const claimed: OutboxRow[] = [];
    for (const { channel, sent } of channels) {
      const take = Math.min(batch, allowance(channel, sent));
      if (take <= 0) continue;
      const { rows } = await this.pool.query<OutboxRow>(
        `UPDATE openclaw.notification_outbox SET attempts = attempts + 1, next_attempt_at = $3, last_attempt_at = $2
          WHERE id IN (SELECT id FROM openclaw.notification_outbox WHERE channel = $1 AND state = 'pending' AND next_attempt_at <= $2
                        ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
          RETURNING id::int AS id, channel, attempts, payload`,
        [channel, now, new Date(now.getTime() + leaseMs), take],
      );
      claimed.push(...rows.sort((a, b) => a.id - b.id));
    }
    return claimed;
  }

  async delivered(id: number): Promise<void> {
    await this.pool.query(`UPDATE openclaw.notification_outbox SET state = 'delivered', finished_at = $2, last_error = NULL WHERE id = $1`, [id, new Date(this.options.now())]);
  }

  /** A failed attempt: retried at `retryAt`, or given up (state failed) when there is none. */
  async attemptFailed(id: number, error: string, retryAt: number | undefined): Promise<void> {
    const now = new Date(this.options.now());
    await this.pool.query(
      `UPDATE openclaw.notification_outbox
          SET last_error = $2, state = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
              next_attempt_at = coalesce($3, next_attempt_at), finished_at = CASE WHEN $3::timestamptz IS NULL THEN $4::timestamptz END
        WHERE id = $1`,
      [id, error.slice(0, 1000), retryAt === undefined ? null : new Date(retryAt), now],
    );
  }

  /** Per channel: what waits, what went, what was given up or dropped (the last week), and the last error. */
  async deliveries(): Promise<ChannelDelivery[]> {
    const { rows } = await this.pool.query<Omit<ChannelDelivery, 'recent'>>(
      `SELECT channel,
              count(*) FILTER (WHERE state = 'pending')::int AS pending,
              count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
              count(*) FILTER (WHERE state = 'failed')::int AS failed,
              count(*) FILTER (WHERE state = 'dropped')::int AS dropped,
              max(finished_at) FILTER (WHERE state = 'delivered') AS "lastDeliveredAt",
              (array_agg(last_error ORDER BY last_attempt_at DESC NULLS LAST) FILTER (WHERE last_error IS NOT NULL))[1] AS "lastError",
              max(coalesce(last_attempt_at, finished_at)) FILTER (WHERE last_error IS NOT NULL) AS "lastErrorAt"
         FROM openclaw.notification_outbox GROUP BY channel ORDER BY channel`,
    );
    const recent = await this.recent();
    return rows.map((row) => ({
      ...row, lastDeliveredAt: iso(row.lastDeliveredAt), lastErrorAt: iso(row.lastErrorAt),
      recent: recent.filter((r) => r.channel === row.channel).map(({ channel: _channel, ...delivery }) => delivery),
    }));
  }

  private async recent(): Promise<(RecentDelivery & { channel: string })[]> {
    const { rows } = await this.pool.query<RecentDelivery & { channel: string }>(
      `SELECT id::int AS id, channel, event, tenant, coalesce(payload->>'title', event) AS title, state, attempts,
              coalesce(finished_at, last_attempt_at, created_at) AS at, last_error AS error
         FROM (SELECT *, row_number() OVER (PARTITION BY channel ORDER BY id DESC) AS n FROM openclaw.notification_outbox) q
        WHERE n <= $1 ORDER BY channel, id DESC`,
      [RECENT_PER_CHANNEL],
    );
    return rows.map((row) => ({ ...row, at: iso(row.at) }));
  }
}

function iso(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : null;
}
