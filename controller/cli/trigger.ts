import { join } from 'node:path';
import { auditedAction } from '../actions/audited.js';
import { triggerRun, type TriggerResult } from '../scheduler/trigger.js';
import { cliPrincipal, EXIT, type Command } from './command.js';
import { withController } from './context.js';

const usage = 'tenantctl trigger <tenant> <agent>';

export const triggerCommand: Command = {
  name: 'trigger',
  summary: 'Start a run of one agent of one tenant now (recorded like a scheduled run, under its concurrency policy)',
  usage,
  options: {},
  maxPositionals: 2,
  async run(args, io) {
    const [tenant, agent] = args.positionals;
    if (!tenant || !agent) {
      io.stderr(`tenantctl trigger: a tenant and an agent are required\nusage: ${usage}\n`);
      return EXIT.failure;
    }
    return withController(io, undefined, async (ctx) => {
      const { result } = await auditedAction<TriggerResult>(ctx.pool, cliPrincipal(io.env), { action: 'trigger', target: `${tenant}/${agent}`, tenant }, async () => {
        const triggered = await triggerRun(ctx, tenant, agent);
        return triggered.ok ? { result: triggered, ok: true, message: `run ${triggered.run.id} ${triggered.run.status}` } : { result: triggered, ok: false, message: triggered.message };
      });
      if (!result.ok) {
        io.stderr(`tenantctl trigger: ${result.message}\n`);
        return EXIT.failure;
      }
      const { run } = result;
      if (!result.waited) {
        io.stdout(`run ${run.id} of ${tenant}/${agent} started: ${run.taskArn}\n`);
        return EXIT.ok;
      }
      io.stdout(`run ${run.id} of ${tenant}/${agent} ${run.status} (exit code ${run.exitCode}) in ${run.durationMs} ms; log: ${join(ctx.config.dataDir, 'runs', `${run.id}.log`)}\n`);
      return run.status === 'succeeded' ? EXIT.ok : EXIT.failure;
    });
  },
};
