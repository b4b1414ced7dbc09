import { ANNOTATIONS } from '../manifests/semantic.js';
import type { SourceSnapshot } from '../source/types.js';

/** Controller state keys: the operator's CLI confirmation, and what the guard held lately. */
export const CONFIRMED_DELETION = 'confirmedDeletion';
export const HELD_DELETIONS = 'heldDeletions';
const HELD_KEPT = 10;

/** `tenantctl confirm-deletion` (or `apply --confirm-deletion`): one revision, confirmed by someone. */
export interface DeletionConfirmation {
  revision: string;
  at: string;
  by?: string;
}

/** A revision the mass-deletion guard held back, and the tenants it held: what a confirmation naming it covers. */
export interface HeldDeletion {
  revision: string;
  tenants: string[];
  reason: string;
  at: string;
}

/** Is `named` (a full revision, or an abbreviated commit SHA of 7 or more hex digits) the revision `full`? */
export function sameRevision(full: string, named: string): boolean {
  const a = full.toLowerCase();
  const b = named.trim().toLowerCase();
  return a === b || (/^[0-9a-f]{7,}$/.test(b) && a.startsWith(b));
}

/** Revisions named by an `openclaw.io/confirm-deletion` annotation on any tenant of the snapshot. */
export function annotatedConfirmations(snapshot: SourceSnapshot): string[] {
  return snapshot.tenants
    .map((t) => t.manifest.metadata.annotations?.[ANNOTATIONS.confirmDeletion]?.trim())
    .filter((value): value is string => Boolean(value));
}

/**
 * Pure: the revision the planner's guard may treat as confirmed, if any.
 * - A confirmation naming the snapshot's own revision confirms everything it offboards
 *   (the CLI case: the operator read the held report and confirmed that revision).
 * - A confirmation naming an earlier revision that the guard held confirms exactly the
 *   tenants held then. A commit cannot name its own SHA, so this is how the annotation
 *   works: a follow-up commit annotates a remaining tenant with the held revision. If the
 *   snapshot would offboard any tenant beyond those, nothing is confirmed.
 */
export function confirmedRevisionFor(input: { revision: string; departing: readonly string[]; named: readonly string[]; held: readonly HeldDeletion[] }): { revision: string; by: string } | undefined {
  const own = input.named.find((named) => sameRevision(input.revision, named));
  if (own) return { revision: input.revision, by: own };
  if (input.departing.length === 0) return undefined;
  for (const named of input.named) {
    const covered = new Set(input.held.filter((h) => sameRevision(h.revision, named)).flatMap((h) => h.tenants));
    if (input.departing.every((tenant) => covered.has(tenant))) return { revision: input.revision, by: named };
  }
  return undefined;
}

/**
 * Pure: the held records after a pass; undefined when unchanged. A pass that holds nothing
 * clears them: the deletion went through or was reverted, so an old confirmation cannot
 * later wave through a new deletion of the same tenants.
 */
export function nextHeldRecords(records: readonly HeldDeletion[], pass: { revision: string; held: readonly { tenant: string; reason: string }[]; at: string }): HeldDeletion[] | undefined {
  if (pass.held.length === 0) return records.length > 0 ? [] : undefined;
  const tenants = pass.held.map((h) => h.tenant).sort();
  const same = records.find((r) => r.revision === pass.revision);
  if (same && same.tenants.join() === tenants.join()) return undefined;
  const record = { revision: pass.revision, tenants, reason: pass.held[0].reason, at: pass.at };
  return [record, ...records.filter((r) => r.revision !== pass.revision)].slice(0, HELD_KEPT);
}
