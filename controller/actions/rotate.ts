import { names } from '../../contract/names.js';
import type { ActionContext } from './context.js';
import { FINGERPRINT_TAG } from '../providers/credentials.js';
import { isManaged, notOwnedMessage } from '../resources/ownership.js';

export type RotateResult =
  | { rotated: false; error: string }
  | {
    rotated: true; secret: string; previousFingerprint: string | null; fingerprint: string; roleUpdated: boolean; oldSessionsEnded: boolean;
    error?: string; skipped?: string; revision: string;
  };

/**
 * Rotation, in an order whose every interruption the next pass detects and repairs: the db
 * secret's fingerprint tag, then its value, then a pass for that tenant alone sees the role's
 * fingerprint differ and sets the role's password (a SCRAM verifier) from the stored value,
 * setting the tag back to the value's when they differ. After the rotation grace, a second pass
 * ends the sessions opened with the old password; a later pass does it if this one is cut short.
 */
export async function rotateCredentials(ctx: ActionContext, tenant: string): Promise<RotateResult> {
  const { snapshot } = await ctx.loop.refreshSource();
  if (!snapshot) return { rotated: false, error: `no valid revision in ${ctx.source.describe()}` };
  if (!snapshot.tenants.some((t) => t.name === tenant)) return { rotated: false, error: `tenant ${tenant} is not declared in ${ctx.source.describe()} (revision ${snapshot.revision})` };

  const secretName = names.dbSecret(ctx.config.aws.secretsPrefix, tenant);
  const existing = (await ctx.provider.secrets.list(secretName)).find((s) => s.name === secretName);
  if (existing && !isManaged(existing.tags)) return { rotated: false, error: notOwnedMessage(`secret ${secretName}`) };
  if (existing?.deletedAt !== undefined) return { rotated: false, error: `secret ${secretName} is scheduled for deletion; run \`tenantctl apply\` to restore it first` };

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
  return {
    rotated: true, secret: secretName, previousFingerprint: previous ?? null, fingerprint: rotated.fingerprint,
    roleUpdated, oldSessionsEnded: roleUpdated && !sessionsError, revision: snapshot.revision,
    ...(outcome?.error ? { error: outcome.error.message } : sessionsError ? { error: sessionsError } : {}), ...(outcome?.skipped ? { skipped: outcome.skipped } : {}),
  };
}

/** How a rotation is recorded in the audit log: done only when the role uses the new password and old sessions ended. */
export function rotationDone(result: RotateResult) {
  if (!result.rotated) return { result, ok: false, message: result.error };
  return { result, ok: result.roleUpdated && result.oldSessionsEnded, revision: result.revision, message: result.error ?? result.skipped ?? `fingerprint ${result.fingerprint}` };
}
