import { startPoolWorker } from '../main.js';
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
    const worker = await startPoolWorker({ ...cliOverrides.open, env: io.env, cwd: io.cwd });
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    worker.log.info({ signal }, 'stopping');
    await worker.stop();
    return EXIT.ok;
  },
};
