import type { Change, FleetChange, Plan } from './types.js';

/** Why a tenant's changes stopped: `kind` is the resource kind whose change failed (absent when observing failed). */
export interface ApplyError { message: string; retryable: boolean; code?: string; kind?: string }

/** What one pass did to one tenant: returned by the reconciler, read by the loop, the status and the metrics. */
export interface TenantOutcome {
  tenant: string;
  /** The changes applied, in the order they ran. */
  applied: Change[];
  skipped: 'paused' | 'backoff' | 'held' | undefined;
  error?: ApplyError;
  /** With a retryable error: when the tenant is due again (ms). A terminal error waits for a changed manifest. */
  retryAt?: number;
  /** What each erasure of this pass removed, by `kind/resource` (for the audit record). */
  erased?: Record<string, Record<string, number>>;
}

/** What happened to the fleet-wide changes of a pass. */
export interface FleetOutcome {
  applied: FleetChange[];
  error?: ApplyError;
}

export interface PassReport {
  revision: string;
  startedAt: string;
  durationMs: number;
  fleet: FleetOutcome;
  /** One per tenant planned or held in the pass. */
  outcomes: TenantOutcome[];
  held: Plan['held'];
  changesApplied: number;
  driftCorrected: number;
}
