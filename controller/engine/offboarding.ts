/**
 * The lifecycle of a tenant whose manifest is gone: Active → Offboarding (access revoked; with the
 * Delete policy a purge date is set) → Retained (Retain, once nothing is left to revoke) or Purged
 * (Delete, once its data is erased, with an audit record). Each step is recorded in the store.
 */
import type { EventRecord, TenantSummary, StatusStore } from '../status/store.js';
import type { TenantOutcome } from './outcome.js';
import type { TenantPlan } from './types.js';

export type OffboardingStore = Pick<StatusStore, 'setLifecycle' | 'audit'>;

/** The first pass without the manifest: the tenant is Offboarding from now, and purged after the grace period under Delete. */
export async function beginOffboarding(
  store: OffboardingStore, known: TenantSummary, input: { now: number; purgeGraceMs: number; revision: string },
): Promise<{ known: TenantSummary; event: EventRecord }> {
  const now = new Date(input.now);
  const purgeAfter = known.deletionPolicy === 'Delete' ? new Date(now.getTime() + input.purgeGraceMs) : undefined;
  await store.setLifecycle(known.name, 'Offboarding', { offboardedAt: now, purgeAfter });
  return {
    known: { ...known, lifecycle: 'Offboarding', offboardedAt: now, purgeAfter: purgeAfter ?? null },
    event: {
      type: 'Normal', reason: 'Offboarding', tenant: known.name, revision: input.revision,
      message: `manifest removed; deletion policy ${known.deletionPolicy}${purgeAfter ? `, purge after ${purgeAfter.toISOString()}` : ''}`,
    },
  };
}

/** After a pass that applied every change of an offboarded tenant: Purged once erased, Retained once nothing is left to do. */
export async function finishOffboarding(
  store: OffboardingStore, known: TenantSummary, tenantPlan: TenantPlan, outcome: TenantOutcome, revision: string,
): Promise<EventRecord[]> {
  const erased = outcome.applied.filter((c) => c.action === 'delete');
  if (erased.length > 0) {
    await store.audit(known.name, 'purge', revision, {
      erased: erased.map((c) => `${c.kind}/${c.resource}`),
      ...(outcome.erased ? { counts: outcome.erased } : {}),
      deletionPolicy: known.deletionPolicy,
      offboardedAt: known.offboardedAt,
    });
    await store.setLifecycle(known.name, 'Purged');
    return [{ type: 'Normal', reason: 'Purged', message: `erased ${outcome.applied.length} resource(s) of tenant ${known.name}`, tenant: known.name, revision }];
  }
  if (known.deletionPolicy === 'Retain' && tenantPlan.changes.every((c) => c.action !== 'delete')) await store.setLifecycle(known.name, 'Retained');
  return [];
}
