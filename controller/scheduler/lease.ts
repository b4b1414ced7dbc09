import type { Pool } from '../db/pool.js';

export interface LeaseOptions {
  name: string;
  /** Unique per replica: host, pid and a random suffix. */
  holder: string;
  leaseMs: number;
  now: () => number;
}

/**
 * A named lease row with expiry (openclaw.leases). One statement acquires or renews it: the update
 * applies only when this replica holds it or it has expired, so two replicas never both succeed.
 * Expiry is on the replicas' clocks (injected; in production NTP-synced wall clocks): skew only
 * shortens or lengthens a handover, and the unique key on scheduled runs keeps a fire from
 * starting twice even then.
 */
export class LeaderLease {
  /** Until when this replica holds the lease, as far as it knows (0: not held). */
  heldUntil = 0;

  constructor(private readonly pool: Pool, readonly options: LeaseOptions) {}

  async tryAcquire(): Promise<boolean> {
    const { name, holder, leaseMs, now } = this.options;
    const at = now();
    const { rowCount } = await this.pool.query(
      `INSERT INTO openclaw.leases AS l (name, holder, expires_at, acquired_at, renewed_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, renewed_at = EXCLUDED.renewed_at,
         acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE EXCLUDED.acquired_at END
       WHERE l.holder = EXCLUDED.holder OR l.expires_at < EXCLUDED.renewed_at`,
      [name, holder, new Date(at + leaseMs), new Date(at)],
    );
    this.heldUntil = rowCount === 1 ? at + leaseMs : 0;
    return rowCount === 1;
  }

  /** Gives the lease up at once (graceful stop): a standby takes over on its next attempt. */
  async release(): Promise<void> {
    this.heldUntil = 0;
    await this.pool.query('DELETE FROM openclaw.leases WHERE name = $1 AND holder = $2', [this.options.name, this.options.holder]);
  }

  async holder(): Promise<{ holder: string; expiresAt: Date } | undefined> {
    const { rows } = await this.pool.query<{ holder: string; expiresAt: Date }>('SELECT holder, expires_at AS "expiresAt" FROM openclaw.leases WHERE name = $1', [this.options.name]);
    return rows[0];
  }
}

export interface ElectorHooks {
  onElected(): Promise<void> | void;
  onDeposed(): Promise<void> | void;
}

/**
 * Leadership from the lease: the leader renews every leaseMs/3; a standby tries every leaseMs/10, so
 * it takes over at most leaseMs + leaseMs/10 after the leader's last renewal. A leader that cannot
 * renew (database unreachable) steps down before its lease can expire, never after.
 */
export class LeaderElector {
  leading = false;

  constructor(private readonly lease: LeaderLease, private readonly hooks: ElectorHooks, private readonly onError: (error: unknown) => void = () => {}) {}

  /** The delay before the next step. */
  interval(): number {
    const { leaseMs } = this.lease.options;
    return Math.max(10, Math.floor(this.leading ? leaseMs / 3 : leaseMs / 10));
  }

  /** One attempt to acquire or renew; runs the hooks on a change. Returns whether this replica leads. */
  async step(): Promise<boolean> {
    let held: boolean;
    try {
      held = await this.lease.tryAcquire();
    } catch (error) {
      this.onError(error);
      // Keep leading only while the lease certainly has not expired, with one renew interval to spare.
      held = this.leading && this.lease.options.now() < this.lease.heldUntil - this.lease.options.leaseMs / 3;
    }
    if (held && !this.leading) {
      this.leading = true;
      await this.hooks.onElected();
    } else if (!held && this.leading) {
      this.leading = false;
      await this.hooks.onDeposed();
    }
    return this.leading;
  }

  async resign(): Promise<void> {
    if (this.leading) {
      this.leading = false;
      await this.hooks.onDeposed();
    }
    await this.lease.release().catch(this.onError);
  }
}
