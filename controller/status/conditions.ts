/** Kubernetes-style conditions: pure functions over plain data. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';
/** Every condition a tenant's status can carry, in the order it is shown: the one list. */
export const CONDITION_TYPES = ['Ready', 'Synced', 'Degraded', 'Suspended', 'Paused', 'Offboarded', 'IntegrationsReady', 'BudgetExceeded'] as const;
export type ConditionType = typeof CONDITION_TYPES[number];

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Sets a condition, keeping lastTransitionTime when the status does not change (as meta.SetStatusCondition does). */
export function setCondition(conditions: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = existing && existing.status === next.status ? existing.lastTransitionTime : now.toISOString();
  const updated: Condition = { ...next, lastTransitionTime };
  return [...conditions.filter((c) => c.type !== next.type), updated].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
}

const ORDER: readonly ConditionType[] = CONDITION_TYPES;

export function conditionStatus(conditions: readonly Condition[], type: ConditionType): ConditionStatus {
  return conditions.find((c) => c.type === type)?.status ?? 'Unknown';
}
