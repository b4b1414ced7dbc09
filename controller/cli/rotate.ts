import { names } from '../../contract/names.js';
import { UsageError } from '../../contract/errors.js';
import { tenantNameProblem } from '../manifests/semantic.js';
import { auditedAction } from '../actions/audited.js';
import { rotateCredentials, rotationDone, type RotateResult } from '../actions/rotate.js';
import { cliPrincipal, EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withController } from './context.js';

const usage = 'tenantctl rotate <TENANT> [--output text|json]';

/** New runtime credentials for a tenant (see rotateCredentials), recorded in the audit log. */
export const rotateCommand: Command = {
  name: 'rotate',
  summary: "Generate new runtime database credentials for a tenant: write its db secret, then set its role's password",
  usage,
  options: OUTPUT_OPTION,
  maxPositionals: 1,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'json'] as const, usage);
    const tenant = args.positionals[0];
    if (!tenant) throw new UsageError(`a tenant name is required\nusage: ${usage}`);
    const problem = tenantNameProblem(tenant);
    if (problem) throw new UsageError(`${JSON.stringify(tenant)} is not a tenant name (${problem})\nusage: ${usage}`);

    return withController(io, undefined, async (ctx) => {
      const { result } = await auditedAction<RotateResult>(ctx.pool, cliPrincipal(io.env), { action: 'rotate', target: tenant, tenant }, async () => rotationDone(await rotateCredentials(ctx, tenant)));
      if (!result.rotated) {
        if (format === 'json') io.stdout(`${JSON.stringify({ tenant, rotated: false, error: result.error }, null, 2)}\n`);
        else io.stderr(`${result.error}\n`);
        return EXIT.failure;
      }
      const { revision: _revision, ...shown } = result;
      const { roleUpdated, oldSessionsEnded } = result;
      if (format === 'json') {
        io.stdout(`${JSON.stringify({ tenant, ...shown }, null, 2)}\n`);
      } else {
        io.stdout(`Rotated the runtime credentials of tenant ${tenant}: ${result.secret} fingerprint ${result.previousFingerprint ?? '(none)'} → ${result.fingerprint}.\n`);
        if (roleUpdated) io.stdout(`Role ${names.pgRuntimeRole(tenant)} now uses them.\n`);
        else io.stdout(`Role ${names.pgRuntimeRole(tenant)} not updated yet (${result.error ?? result.skipped ?? 'no pass ran'}); the controller sets it on its next pass.\n`);
        if (roleUpdated && !oldSessionsEnded) io.stdout(`Sessions opened with the old password not ended yet (${result.error ?? 'unknown'}); the controller ends them on its next pass.\n`);
      }
      return roleUpdated && oldSessionsEnded ? EXIT.ok : EXIT.failure;
    });
  },
};
