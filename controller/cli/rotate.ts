import { names } from '../desired/names.js';
import { UsageError } from '../errors.js';
import { tenantNameProblem } from '../manifests/semantic.js';
import { FINGERPRINT_TAG } from '../providers/credentials.js';
import { isManaged, notOwnedMessage } from '../resources/ownership.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withController } from './context.js';

const usage = 'tenantctl rotate <TENANT> [--output text|json]';

/**
 * Rotation, in an order whose every interruption the next pass detects and repairs: the db
 * secret's fingerprint tag, then its value, then a pass for that tenant alone sees the role's
 * fingerprint differ and sets the role's password (a SCRAM verifier) from the stored value,
 * setting the tag back to the value's when they differ. After the rotation grace, a second pass
 * ends the sessions opened with the old password; a later pass does it if this one is cut short.
 */
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
      const fail = (message: string) => {
        if (format === 'json') io.stdout(`${JSON.stringify({ tenant, rotated: false, error: message }, null, 2)}\n`);
        else io.stderr(`${message}\n`);
        return EXIT.failure;
      };
      const { snapshot } = await ctx.loop.refreshSource();
      if (!snapshot) return fail(`no valid revision in ${ctx.source.describe()}`);
      if (!snapshot.tenants.some((t) => t.name === tenant)) return fail(`tenant ${tenant} is not declared in ${ctx.source.describe()} (revision ${snapshot.revision})`);

      const secretName = names.dbSecret(ctx.config.aws.secretsPrefix, tenant);
      const existing = (await ctx.provider.secrets.list(secretName)).find((s) => s.name === secretName);
      if (existing && !isManaged(existing.tags)) return fail(notOwnedMessage(`secret ${secretName}`));
      if (existing?.deletedAt !== undefined) return fail(`secret ${secretName} is scheduled for deletion; run \`tenantctl apply\` to restore it first`);

      const previous = existing?.tags[FINGERPRINT_TAG];
      const rotated = await ctx.provider.credentials.rotate(tenant, names.pgRuntimeRole(tenant));
      const report = await ctx.loop.pass({ only: new Set([tenant]) });
      const outcome = report?.outcomes.find((o) => o.tenant === tenant);
      const roleUpdated = outcome !== undefined && !outcome.error && outcome.skipped === undefined;
      // Sessions opened with the old password may finish their work for the grace, then end.
      let sessionsError: string | undefined;
      if (roleUpdated) {
        await ctx.sleep(ctx.config.safety.rotationGraceMs);
        const ended = (await ctx.loop.pass({ only: new Set([tenant]) }))?.outcomes.find((o) => o.tenant === tenant);
        sessionsError = ended?.error?.message;
      }
      const result = {
        tenant, rotated: true, secret: secretName, previousFingerprint: previous ?? null, fingerprint: rotated.fingerprint,
        roleUpdated, oldSessionsEnded: roleUpdated && !sessionsError,
        ...(outcome?.error ? { error: outcome.error.message } : sessionsError ? { error: sessionsError } : {}), ...(outcome?.skipped ? { skipped: outcome.skipped } : {}),
      };
      if (format === 'json') {
        io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        io.stdout(`Rotated the runtime credentials of tenant ${tenant}: ${secretName} fingerprint ${previous ?? '(none)'} → ${rotated.fingerprint}.\n`);
        if (roleUpdated) io.stdout(`Role ${names.pgRuntimeRole(tenant)} now uses them.\n`);
        if (sessionsError) io.stdout(`Sessions opened with the old password not ended yet (${sessionsError}); the controller ends them on its next pass.\n`);
        else io.stdout(`Role ${names.pgRuntimeRole(tenant)} not updated yet (${outcome?.error?.message ?? outcome?.skipped ?? 'no pass ran'}); the controller sets it on its next pass.\n`);
      }
      return roleUpdated && !sessionsError ? EXIT.ok : EXIT.failure;
    });
  },
};
