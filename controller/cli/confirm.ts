import { CONFIRMED_DELETION, HELD_DELETIONS, sameRevision, type DeletionConfirmation, type HeldDeletion } from '../engine/confirmation.js';
import { ANNOTATIONS } from '../manifests/semantic.js';
import { UsageError } from '../errors.js';
import { EXIT, operatorName, type Command } from './command.js';
import { withStore } from './context.js';

const usage = 'tenantctl confirm-deletion REVISION';

/** A commit SHA (7 to 64 hex digits) or a directory revision `dir:<hash>`. */
const REVISION = /^([0-9a-f]{7,64}|dir:[0-9a-f]{12})$/i;

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
      throw new UsageError(`${given === undefined ? 'a revision is required' : `${JSON.stringify(given)} is not a revision (allowed: a commit SHA of 7 to 64 hex digits, or dir:<hash>)`}\nusage: ${usage}`);
    }
    return withStore(io, async ({ store }) => {
      const held = (await store.getState<HeldDeletion[]>(HELD_DELETIONS)) ?? [];
      const matches = held.filter((h) => sameRevision(h.revision, given));
      if (new Set(matches.map((m) => m.revision)).size > 1) {
        io.stderr(`tenantctl confirm-deletion: ${given} matches ${matches.length} held revisions (${matches.map((m) => m.revision).join(', ')}); give more digits\n`);
        return EXIT.failure;
      }
      const revision = matches[0]?.revision ?? given.toLowerCase();
      const confirmation: DeletionConfirmation = { revision, at: new Date().toISOString(), by: operatorName(io.env) };
      await store.setState(CONFIRMED_DELETION, confirmation);
      await store.recordEvents([{
        type: 'Normal', reason: 'DeletionConfirmed', revision,
        message: `${confirmation.by} confirmed the deletion held at revision ${revision}${matches[0] ? ` (${matches[0].tenants.join(', ')})` : ''}`,
      }]);
      if (matches[0]) {
        io.stdout(`Confirmed revision ${revision}: the next pass offboards ${matches[0].tenants.join(', ')}.\n`);
      } else {
        io.stdout(`Confirmed revision ${revision}. No deletion is held for it right now; the confirmation applies when a pass plans exactly that revision.\n`);
      }
      io.stdout(`(From git, the same is done by the annotation ${ANNOTATIONS.confirmDeletion}: "${revision}" on a remaining tenant.)\n`);
      return EXIT.ok;
    });
  },
};
