import { auditedAction } from '../actions/audited.js';
import { setPaused, type PauseResult } from '../actions/pause.js';
import { UsageError } from '../../contract/errors.js';
import { tenantNameProblem } from '../manifests/semantic.js';
import { cliPrincipal, EXIT, operatorName, type Command } from './command.js';
import { withController } from './context.js';

/** `tenantctl pause` and `tenantctl resume`: the same action as the ops API's, recorded in the audit log. */
function pauseCommand(paused: boolean): Command {
  const name = paused ? 'pause' : 'resume';
  const usage = `tenantctl ${name} <TENANT>`;
  return {
    name,
    summary: paused ? 'Stop applying changes to a tenant (they are still planned and reported), like openclaw.io/paused' : 'Apply changes to a paused tenant again',
    usage,
    options: {},
    maxPositionals: 1,
    async run(args, io) {
      const tenant = args.positionals[0];
      if (!tenant) throw new UsageError(`a tenant name is required\nusage: ${usage}`);
      const problem = tenantNameProblem(tenant);
      if (problem) throw new UsageError(`${JSON.stringify(tenant)} is not a tenant name (${problem})\nusage: ${usage}`);
      return withController(io, undefined, async (ctx) => {
        const { result } = await auditedAction<PauseResult>(ctx.pool, cliPrincipal(io.env), { action: name, target: tenant, tenant }, async () => {
          const done = await setPaused(ctx, tenant, paused, operatorName(io.env));
          return done.done ? { result: done, ok: true, revision: done.revision, message: done.changed ? undefined : `already ${paused ? 'paused' : 'not paused'}` } : { result: done, ok: false, message: done.error };
        });
        if (!result.done) {
          io.stderr(`tenantctl ${name}: ${result.error}\n`);
          return EXIT.failure;
        }
        io.stdout(result.changed ? `Tenant ${tenant} ${paused ? 'paused' : 'resumed'}.\n` : `Tenant ${tenant} was already ${paused ? 'paused' : 'not paused by an operator'}.\n`);
        return EXIT.ok;
      });
    },
  };
}

export const pauseCommands: Command[] = [pauseCommand(true), pauseCommand(false)];
