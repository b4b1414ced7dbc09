import { createPool, type Pool, type PoolOptions } from './pool.js';

/**
 * The controller's separate, bounded connection pools: no kind of work can drain the connections
 * another needs. A burst of status API reads queues on the API pool; the reconcile pass, the
 * scheduler's run history, and the lease heartbeat with the readiness probe each keep their own.
 */
export interface PoolSet {
  /** Reconcile passes: observation, apply, status writes. */
  reconciler: Pool;
  /** The scheduler's run history: claims, launches recorded, task polls, metering. */
  scheduler: Pool;
  /** The leader lease's heartbeat and /readyz's probe: a few small statements that must never wait. */
  lease: Pool;
  /** The status API, the ops page, metrics scrapes and API-token checks: reads on demand. */
  api: Pool;
  end(): Promise<void>;
}

/** Connections per pool besides the reconciler's, which grows with OPENCLAW_CONCURRENCY. */
export const POOL_SIZES = { scheduler: 4, lease: 2, api: 4 } as const;

/** The reconciler's pool: one connection per tenant reconciled at once, and a few for status writes. */
export function reconcilerPoolSize(concurrency: number): number {
  return Math.max(10, concurrency + 4);
}

export function createPools(url: string, options: Omit<PoolOptions, 'max' | 'applicationName'> & { concurrency: number }): PoolSet {
  const { concurrency, ...shared } = options;
  const pool = (name: string, max: number) => createPool(url, { ...shared, max, applicationName: `openclaw-controller/${name}` });
  const pools = {
    reconciler: pool('reconciler', reconcilerPoolSize(concurrency)),
    scheduler: pool('scheduler', POOL_SIZES.scheduler),
    lease: pool('lease', POOL_SIZES.lease),
    api: pool('api', POOL_SIZES.api),
  };
  return {
    ...pools,
    async end() {
      await Promise.all(Object.values(pools).map((p) => p.end()));
    },
  };
}
