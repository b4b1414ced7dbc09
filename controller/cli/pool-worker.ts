import { hostname } from 'node:os';
import { createLogger } from '../../contract/logger.js';
import { ConfigError } from '../../contract/errors.js';
import { createPoolWorkerPlatform } from '../compose/pool-worker.js';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { databasePassword } from '../main.js';
import { workLoop } from '../pool/part.js';
import { PoolQueue } from '../pool/queue.js';
import { PoolWorker } from '../pool/worker.js';
import { EXIT, type Command } from './command.js';
import { cliOverrides } from './context.js';

/**
 * `tenantctl pool-worker`: one task of the pooled worker service (AWS). Logs in to the database as
 * the workers' own login (DATABASE_URL's user, OPENCLAW_DB_SECRET_ARN its password), runs
 * OPENCLAW_POOL_WORKERS jobs at once, each with credentials vended for its tenant, until SIGTERM.
 */
export const poolWorkerCommand: Command = {
  name: 'pool-worker',
  summary: 'Run pooled tenants\' agent runs from the queue (the AWS worker service), until SIGINT/SIGTERM',
  usage: 'tenantctl pool-worker',
  options: {},
  maxPositionals: 0,
  async run(_args, io) {
    const options = cliOverrides.open ?? {};
    const config = loadConfig(io.env, io.cwd);
    if (!config.databaseUrl) throw new ConfigError('DATABASE_URL: required by the pooled workers (allowed: the database URL with the user openclaw_pool_worker)');
    if (config.pool.workers === 0) throw new ConfigError('OPENCLAW_POOL_WORKERS: at least 1 for the pooled workers (allowed: 1-64 runs at once per worker task)');
    const log = options.log ?? createLogger({ level: config.logLevel });
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const platform = createPoolWorkerPlatform(config, { log, now, sleep, random: options.random ?? Math.random, databaseUrl: config.databaseUrl, onClients: options.onClients });
    const pool = createPool(config.databaseUrl, { log, applicationName: 'openclaw-pool-worker', password: await databasePassword(config, options, log), reconnect: { sleep } });
    const executor = platform.executor(await platform.poolLogin());
    const name = `${hostname()}-${process.pid}`;
    const worker = new PoolWorker({ name, queue: new PoolQueue(pool, now), pool, executor, vend: platform.vend, log: log.child({ component: 'pool-worker', worker: name }) });
    let stopped = false;
    const loop = workLoop(worker, config.pool.workers, () => stopped, sleep, log);
    if (process.getuid?.() !== 0) log.warn({ worker: name }, 'not running as root: runs share this worker\'s uid, so a run could read the worker\'s environment and other runs\'');
    log.info({ worker: name, concurrency: config.pool.workers }, 'pooled worker running');
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    log.info({ signal }, 'stopping');
    stopped = true;
    await loop;
    await executor.close();
    await platform.close();
    await pool.end();
    return EXIT.ok;
  },
};
