import type { Logger } from 'pino';
import type { DbCredentials } from '../../contract/db-credentials.js';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { SecretsApi } from '../providers/types.js';
import type { RuntimePart } from '../runtime.js';
import type { Launcher } from '../scheduler/launcher.js';
import { ensurePoolLogin, poolLoginCredentials } from './logins.js';
import { PoolQueue } from './queue.js';
import { PoolWorker } from './worker.js';

export { poolLoginCredentials } from './logins.js';

/** What the in-process pooled workers need from the controller. */
export interface PoolWorkerContext {
  config: Readonly<Config>;
  log: Logger;
  pool: Pool;
  provider: { name: string; secrets: SecretsApi };
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Runs one pooled job as a process of its own (the platform's; absent where this process runs no workers). */
  poolExecutor?: (login: DbCredentials) => Launcher;
}

/**
 * Runs `worker` until `stopped()`: `concurrency` jobs at once, a second's sleep when none is due. A
 * failed step (the database away) is logged and the loop goes on.
 */
export async function workLoop(worker: PoolWorker, concurrency: number, stopped: () => boolean, sleep: (ms: number) => Promise<void>, log: Logger): Promise<void> {
  while (!stopped()) {
    const ran = await worker.drain(concurrency).catch((error) => {
      log.warn({ err: error }, 'pooled worker step failed');
      return 0;
    });
    if (ran === 0 && !stopped()) await sleep(1_000);
  }
}

/**
 * The pool's logins, and pooled workers in this process. On AWS the controller makes both logins (the
 * runs' and the workers' service's, `<prefix>/pool/db` and `<prefix>/pool/worker-db`) and runs no
 * worker: the worker service does. Locally (`OPENCLAW_POOL_WORKERS`, 2 by default) each worker runs a
 * child process like a local silo run, logged in as the pool and bound to its tenant by a grant.
 */
export const poolWorkerPart: RuntimePart<PoolWorkerContext> = {
  name: 'pooled workers',
  async start(ctx) {
    const prefix = ctx.config.aws.secretsPrefix;
    if (ctx.provider.name === 'aws') {
      await ensurePoolLogin(ctx.pool, await poolLoginCredentials(ctx.provider.secrets, prefix, 'pool'), 'pool');
      await ensurePoolLogin(ctx.pool, await poolLoginCredentials(ctx.provider.secrets, prefix, 'worker'), 'worker');
    }
    const workers = ctx.config.pool.workers;
    if (workers === 0 || !ctx.poolExecutor) return { stop: async () => {} };
    const log = ctx.log.child({ component: 'pool-worker' });
    const login = await poolLoginCredentials(ctx.provider.secrets, prefix);
    await ensurePoolLogin(ctx.pool, login);
    const executor = ctx.poolExecutor(login);
    const worker = new PoolWorker({ name: `local-${process.pid}`, queue: new PoolQueue(ctx.pool, ctx.now), pool: ctx.pool, executor, log });
    let stopped = false;
    const loop = workLoop(worker, workers, () => stopped, ctx.sleep, log);
    return {
      async stop() {
        stopped = true;
        await loop;
        await executor.close();
      },
    };
  },
};
