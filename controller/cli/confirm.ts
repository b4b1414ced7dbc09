import { auditedAction } from '../actions/audited.js';
import { confirmDeletion, REVISION, REVISION_ALLOWED, type ConfirmResult } from '../actions/confirm.js';
import { ANNOTATIONS } from '../manifests/semantic.js';
import { UsageError } from '../../contract/errors.js';
import { cliPrincipal, EXIT, operatorName, type Command } from './command.js';
import { withStore } from './context.js';

const usage = 'tenantctl confirm-deletion REVISION';

/**
 * Confirms a revision the mass-deletion guard holds: the next pass offboards exactly the
 * tenants held at that revision (or, for the revision in force, everything it offboards).
 * The same as the annotation `openclaw.io/confirm-deletion: <revision>` on a remaining tenant.
 */
export const confirmDeletionCommand: Command = {
  name: 'confirm-deletion',
  summary: 'Confirm a revision the mass-deletion guard holds, so the next pass offboards its tenants',
  usage,
  options: {},
  maxPositionals: 1,
  async run(args, io) {
    const given = args.positionals[0];
    if (!given || !REVISION.test(given)) {
      throw new UsageError(`${given === undefined ? 'a revision is required' : `${JSON.stringify(given)} is not a revision (allowed: ${REVISION_ALLOWED})`}\nusage: ${usage}`);
    }
    return withStore(io, async ({ pool, store }) => {
      const { result } = await auditedAction<ConfirmResult>(pool, cliPrincipal(io.env), { action: 'confirm-deletion', target: given }, async () => {
        const confirmed = await confirmDeletion(store, given, operatorName(io.env), Date.now());
        return confirmed.confirmed ? { result: confirmed, ok: true, revision: confirmed.revision } : { result: confirmed, ok: false, message: confirmed.error };
      });
      if (!result.confirmed) {
        io.stderr(`tenantctl confirm-deletion: ${result.error}\n`);
        return EXIT.failure;
      }
      const { revision, tenants } = result;
      if (tenants) {
        io.stdout(`Confirmed revision ${revision}: the next pass offboards ${tenants.join(', ')}.\n`);
      } else {
        io.stdout(`Confirmed revision ${revision}. No deletion is held for it right now; the confirmation applies when a pass plans exactly that revision.\n`);
      }
      io.stdout(`(From git, the same is done by the annotation ${ANNOTATIONS.confirmDeletion}: "${revision}" on a remaining tenant.)\n`);
      return EXIT.ok;
    });
  },
};
