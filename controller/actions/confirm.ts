import { CONFIRMED_DELETION, HELD_DELETIONS, sameRevision, type DeletionConfirmation, type HeldDeletion } from '../engine/confirmation.js';
import type { StatusStore } from '../status/store.js';

/** A commit SHA (7 to 64 hex digits) or a directory revision `dir:<hash>`. */
export const REVISION = /^([0-9a-f]{7,64}|dir:[0-9a-f]{12})$/i;
export const REVISION_ALLOWED = 'a commit SHA of 7 to 64 hex digits, or dir:<hash>';

export type ConfirmResult =
  | { confirmed: false; error: string }
  | { confirmed: true; revision: string; tenants: string[] | null };

/**
 * Confirms a revision the mass-deletion guard holds: the next pass offboards exactly the tenants held
 * at that revision (or, for the revision in force, everything it offboards). The same as the annotation
 * `openclaw.io/confirm-deletion: <revision>` on a remaining tenant. `given` must match REVISION.
 */
export async function confirmDeletion(store: Pick<StatusStore, 'getState' | 'setState' | 'recordEvents'>, given: string, by: string, now: number): Promise<ConfirmResult> {
  const held = (await store.getState<HeldDeletion[]>(HELD_DELETIONS)) ?? [];
  const matches = held.filter((h) => sameRevision(h.revision, given));
  if (new Set(matches.map((m) => m.revision)).size > 1) {
    return { confirmed: false, error: `${given} matches ${matches.length} held revisions (${matches.map((m) => m.revision).join(', ')}); give more digits` };
  }
  const revision = matches[0]?.revision ?? given.toLowerCase();
  const confirmation: DeletionConfirmation = { revision, at: new Date(now).toISOString(), by };
  await store.setState(CONFIRMED_DELETION, confirmation);
  await store.recordEvents([{
    type: 'Normal', reason: 'DeletionConfirmed', revision,
    message: `${by} confirmed the deletion held at revision ${revision}${matches[0] ? ` (${matches[0].tenants.join(', ')})` : ''}`,
  }]);
  return { confirmed: true, revision, tenants: matches[0]?.tenants ?? null };
}
