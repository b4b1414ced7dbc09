/**
 * A tenant's limits: its monthly budget (model tokens, usage cost), how many agent runs it may have
 * at once, and its runtime role's connection limit and statement timeout. Each defaults per tier;
 * `spec.limits` in the manifest overrides any of them. Pure.
 */
import type { Tier } from '../../contract/catalog.js';

export interface TenantLimits {
  /** Model tokens (input and output) a month; the scheduler skips runs past it. */
  monthlyModelTokens: number;
  /** Usage cost (USD) a month, fixed costs excluded; the scheduler skips runs past it. */
  monthlyCostUsd: number;
  /** Agents of this tenant running at once (each agent's own overlap follows its concurrencyPolicy). */
  agentConcurrency: number;
  /** CONNECTION LIMIT of the tenant's runtime role. */
  dbConnections: number;
  /** statement_timeout of the tenant's runtime role, in milliseconds. */
  statementTimeoutMs: number;
}

/** What a manifest may set under spec.limits (statementTimeout as "30s", "500ms", "2m"). */
export interface LimitsSpec {
  monthlyModelTokens?: number;
  monthlyCostUsd?: number;
  agentConcurrency?: number;
  dbConnections?: number;
  statementTimeout?: string;
}

export const TIER_LIMITS: Readonly<Record<Tier, Readonly<TenantLimits>>> = Object.freeze({
  starter: { monthlyModelTokens: 2_000_000, monthlyCostUsd: 60, agentConcurrency: 1, dbConnections: 5, statementTimeoutMs: 30_000 },
  professional: { monthlyModelTokens: 10_000_000, monthlyCostUsd: 200, agentConcurrency: 2, dbConnections: 10, statementTimeoutMs: 60_000 },
  enterprise: { monthlyModelTokens: 50_000_000, monthlyCostUsd: 800, agentConcurrency: 4, dbConnections: 20, statementTimeoutMs: 120_000 },
});

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };

/** "30s" → 30000; the CRD's pattern has already checked the form. */
export function statementTimeoutMs(text: string): number | undefined {
  const match = /^(\d{1,7})(ms|s|m)$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

export function tenantLimits(tier: Tier, spec: LimitsSpec | undefined): TenantLimits {
  const defaults = TIER_LIMITS[tier];
  return {
    monthlyModelTokens: spec?.monthlyModelTokens ?? defaults.monthlyModelTokens,
    monthlyCostUsd: spec?.monthlyCostUsd ?? defaults.monthlyCostUsd,
    agentConcurrency: spec?.agentConcurrency ?? defaults.agentConcurrency,
    dbConnections: spec?.dbConnections ?? defaults.dbConnections,
    statementTimeoutMs: (spec?.statementTimeout && statementTimeoutMs(spec.statementTimeout)) || defaults.statementTimeoutMs,
  };
}
