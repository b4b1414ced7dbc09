import type { Logger } from 'pino';
import { POOL_LOGIN } from '../../contract/agent-env.js';
import type { DbCredentials } from '../../contract/db-credentials.js';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from '../desired/tenant.js';
import { ControllerError } from '../../contract/errors.js';
import { generatePassword } from '../providers/credentials.js';
import type { SecretsApi } from '../providers/types.js';
import type { RuntimePart } from '../runtime.js';
import type { Launcher } from '../scheduler/launcher.js';
import { PoolQueue } from './queue.js';
import { ensurePoolLogin } from './session.js';
import { PoolWorker } from './worker.js';

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

/** The pool's login lives in `<prefix>/pool/db`: made once, generated, never in git or the logs. */
export async function poolLoginCredentials(secrets: SecretsApi, secretsPrefix: string): Promise<DbCredentials> {
  const name = `${secretsPrefix}/pool/db`;
  const stored = await secrets.getValue(name).catch((error) => {
    if (error instanceof ControllerError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  });
  if (stored) {
    const parsed: unknown = JSON.parse(stored);
    if (typeof parsed === 'object' && parsed !== null && 'password' in parsed && typeof parsed.password === 'string') return { username: POOL_LOGIN, password: parsed.password };
  }
  const credentials = { username: POOL_LOGIN, password: generatePassword() };
  await secrets.create(name, JSON.stringify(credentials), { [MANAGED_BY_TAG]: MANAGED_BY_VALUE }, 'Database login of the pooled runs (openclaw_pool)');
  return credentials;
}

/**
 * Pooled workers in this process (`OPENCLAW_POOL_WORKERS`, 2 by default with the local provider): each
 * run a child process like a local silo run, logged in as the pool and bound to its tenant by a grant.
 */
export const poolWorkerPart: RuntimePart<PoolWorkerContext> = {
  name: 'pooled workers',
  async start(ctx) {
    const workers = ctx.config.pool.workers;
    if (workers === 0 || !ctx.poolExecutor) return { stop: async () => {} };
    const log = ctx.log.child({ component: 'pool-worker' });
    const login = await poolLoginCredentials(ctx.provider.secrets, ctx.config.aws.secretsPrefix);
    await ensurePoolLogin(ctx.pool, login);
    const executor = ctx.poolExecutor(login);
    const worker = new PoolWorker({ name: `local-${process.pid}`, queue: new PoolQueue(ctx.pool, ctx.now), pool: ctx.pool, executor, log });
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const ran = await worker.drain(workers).catch((error) => {
          log.warn({ err: error }, 'pooled worker step failed');
          return 0;
        });
        if (ran === 0 && !stopped) await ctx.sleep(1_000);
      }
    })();
    return {
      async stop() {
        stopped = true;
        await loop;
        await executor.close();
      },
    };
  },
};
