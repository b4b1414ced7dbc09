import type { Logger } from 'pino';
import type { ActionContext } from '../actions/context.js';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { PoolSet } from '../db/pools.js';
import type { ControllerLoop } from '../engine/controller.js';
import type { ManifestSource } from '../source/types.js';
import type { MetricsContext } from './metrics.js';
import type { StatusStore } from './store.js';

/** What the status server and its routes need from the controller they serve. */
export interface StatusServerContext extends Omit<MetricsContext, 'provider'>, ActionContext {
  provider: MetricsContext['provider'] & ActionContext['provider'];
  config: Readonly<Config>;
  log: Logger;
  pool: Pool;
  /** The status API reads through pools.api, /readyz probes through pools.lease (db/pools.ts). */
  pools: PoolSet;
  store: StatusStore;
  loop: ControllerLoop;
  source: ManifestSource;
  now: () => number;
}
