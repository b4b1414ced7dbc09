import { EXIT, type Command } from './command.js';
import { commandEnv, cliOverrides } from './context.js';
import { openController } from '../main.js';
import { startRuntime } from '../runtime.js';

const usage = 'tenantctl run [DIR]';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the controller: reconcile loop, scheduler and status server, until SIGINT/SIGTERM',
  usage,
  options: {},
  maxPositionals: 1,
  async run(args, io) {
    const ctx = await openController({ ...cliOverrides.open, env: commandEnv(io, args.positionals[0]), cwd: io.cwd });
    const runtime = await startRuntime(ctx);
    const stop = async (signal: string) => {
      ctx.log.info({ signal }, 'stopping');
      await runtime.stop();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    await runtime.done;
    await ctx.close();
    return EXIT.ok;
  },
};
