import type { DesiredTenant } from '../desired/types.js';
import type { SourceSnapshot } from '../source/types.js';
import { setCondition, type Condition } from '../status/conditions.js';
import type { TenantSummary, ResourceState, TenantStatusRecord } from '../status/store.js';
import type { TenantOutcome } from './outcome.js';
import type { ResourceModule, TenantPlan } from './types.js';

export interface StatusInput {
  tenant: string;
  /** Absent when the tenant's manifest is gone. */
  desired?: Pick<DesiredTenant, 'suspended'>;
  known?: TenantSummary;
  plan?: TenantPlan;
  outcome?: TenantOutcome;
  held?: string;
  /** Which guard holds it (the Synced condition's reason): the mass-deletion guard unless said. */
  heldBy?: 'DeletionHeld' | 'QuotaHeld';
  snapshot: SourceSnapshot;
  provider: string;
  /** The kinds a tenant has, one resource state each. */
  modules: readonly Pick<ResourceModule, 'kind'>[];
  now: number;
  previous?: TenantStatusRecord;
  facts?: Record<string, unknown>;
  failures?: number;
}

/** Pure: what a pass found and did → the tenant's status record (conditions, resources, last error). */
export function tenantStatus(input: StatusInput): Omit<TenantStatusRecord, 'lastReconcileAt'> {
  const now = new Date(input.now);
  const { outcome, plan } = input;
  const conflicts = plan?.changes.filter((c) => c.conflict).map((c) => c.conflict!) ?? [];
  const appliedKeys = new Set(outcome?.applied.map((c) => `${c.kind}/${c.resource}`) ?? []);
  const pending = plan?.changes.filter((c) => c.action !== 'noop' && !c.conflict && !appliedKeys.has(`${c.kind}/${c.resource}`)) ?? [];
  const error = outcome?.error;
  const lastError = error?.message ?? (conflicts.length > 0 ? conflicts.join('; ') : input.held ?? null);
  const offboarded = !input.desired;
  const paused = outcome?.skipped === 'paused';
  // Facts a change establishes (a migration version) replace what was observed before it ran.
  const facts = Object.assign({}, input.facts ?? input.previous?.facts ?? {}, ...(outcome?.applied ?? []).map((c) => c.facts ?? {}));
  const generation = input.known?.generation ?? input.previous?.observedGeneration ?? 1;

  let conditions: Condition[] = input.previous?.conditions ?? [];
  const set = (type: Condition['type'], status: Condition['status'], reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: generation }, now);
  };

  const synced = !error && !input.held && pending.length === 0 && conflicts.length === 0;
  if (input.held) set('Synced', 'False', input.heldBy ?? 'DeletionHeld', input.held);
  else if (paused) set('Synced', pending.length === 0 ? 'True' : 'False', 'Paused', pending.length === 0 ? 'paused; nothing to change' : `paused; ${pending.length} change(s) not applied`);
  else if (outcome?.skipped === 'backoff') set('Synced', 'False', 'BackingOff', `retrying after ${input.failures ?? 0} failure(s): ${input.previous?.lastError ?? ''}`.trim());
  else if (error) set('Synced', 'False', error.retryable ? 'ApplyFailed' : 'ApplyStopped', error.message);
  else if (conflicts.length > 0) set('Synced', 'False', 'NotOwned', conflicts.join('; '));
  else set('Synced', 'True', 'Applied', `revision ${input.snapshot.revision} applied`);

  const degradedReason = error ? (error.retryable ? 'Retrying' : 'TerminalError') : conflicts.length > 0 ? 'NotOwned' : outcome?.skipped === 'backoff' ? 'Retrying' : undefined;
  const degradedMessage = error?.message ?? conflicts.join('; ') ?? '';
  if (degradedReason) set('Degraded', 'True', degradedReason, degradedMessage || (input.previous?.lastError ?? ''));
  else set('Degraded', 'False', 'Healthy', 'no errors');

  const ready = !offboarded && (synced || (paused && !error)) && !degradedReason;
  if (offboarded) set('Ready', 'False', 'Offboarded', `manifest removed; deletion policy ${input.known?.deletionPolicy ?? 'Retain'}`);
  else set('Ready', ready ? 'True' : 'False', ready ? 'Reconciled' : degradedReason ?? 'Progressing', ready ? 'every resource matches the manifest' : lastError ?? `${pending.length} change(s) pending`);

  set('Suspended', input.desired?.suspended ? 'True' : 'False', input.desired?.suspended ? 'Suspended' : 'Active', input.desired?.suspended ? 'spec.suspended is true: no agent runs' : 'agents run on schedule');
  set('Paused', paused ? 'True' : 'False', paused ? 'PauseAnnotation' : 'NotPaused', paused ? 'paused (openclaw.io/paused, or tenantctl pause): observed, not changed' : 'changes are applied');
  if (offboarded) {
    const purged = outcome?.applied.some((c) => c.action === 'delete');
    set('Offboarded', 'True', purged ? 'Purged' : input.known?.deletionPolicy === 'Delete' ? 'PendingPurge' : 'Retained',
      purged ? 'data erased' : input.known?.purgeAfter ? `access revoked; purge after ${new Date(input.known.purgeAfter).toISOString()}` : 'access revoked; data kept');
  } else {
    conditions = conditions.filter((c) => c.type !== 'Offboarded');
  }

  const resources: ResourceState[] = input.modules.map((module) => {
    // Only the kind whose change failed (or could not be observed) is Failed; kinds after it were not tried: Pending.
    const failed = error && (error.kind === module.kind || plan?.errors.some((e) => e.kind === module.kind));
    const kindPending = pending.filter((c) => c.kind === module.kind);
    const kindConflicts = plan?.changes.filter((c) => c.kind === module.kind && c.conflict) ?? [];
    const drifted = outcome?.applied.some((c) => c.kind === module.kind && c.drift);
    const state: ResourceState['state'] = kindConflicts.length > 0 || failed ? 'Failed'
      : kindPending.length > 0 ? 'Pending'
      : offboarded ? (outcome?.applied.some((c) => c.action === 'delete' && c.kind === module.kind) ? 'Deleted' : 'Retained')
      : 'Ready';
    const message = kindConflicts[0]?.conflict ?? (kindPending.length ? `${kindPending.length} change(s) pending` : drifted ? 'drift corrected this pass' : undefined);
    return { kind: module.kind, name: input.tenant, state, ...(message ? { message } : {}) };
  });

  return {
    tenant: input.tenant,
    conditions,
    resources,
    observedRevision: input.held ? input.previous?.observedRevision ?? null : input.snapshot.revision,
    observedGeneration: generation,
    rejectedRevision: input.previous?.rejectedRevision ?? null,
    rejectedReason: input.previous?.rejectedReason ?? null,
    lastError,
    terminal: error ? !error.retryable : false,
    provider: input.provider,
    migrationVersion: typeof facts.migrationVersion === 'number' ? facts.migrationVersion : input.previous?.migrationVersion ?? null,
    facts,
  };
}
