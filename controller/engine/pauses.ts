/**
 * Pauses an operator set through tenantctl pause or the ops API, kept in the controller's state next to
 * the `openclaw.io/paused` annotation from git: either one pauses a tenant (observed, never changed).
 */
import type { StatusStore } from '../status/store.js';

export const OPERATOR_PAUSES = 'operatorPauses';

export interface OperatorPause {
  by: string;
  at: string;
}

export type OperatorPauses = Record<string, OperatorPause>;

export async function operatorPauses(store: Pick<StatusStore, 'getState'>): Promise<OperatorPauses> {
  return (await store.getState<OperatorPauses>(OPERATOR_PAUSES)) ?? {};
}

/** Sets or clears one tenant's pause; returns whether anything changed. */
export async function setOperatorPause(store: Pick<StatusStore, 'getState' | 'setState'>, tenant: string, pause: OperatorPause | undefined): Promise<boolean> {
  const current = await operatorPauses(store);
  if (Boolean(current[tenant]) === Boolean(pause)) return false;
  const next = Object.fromEntries(Object.entries(current).filter(([name]) => name !== tenant));
  await store.setState(OPERATOR_PAUSES, pause ? { ...next, [tenant]: pause } : next);
  return true;
}
