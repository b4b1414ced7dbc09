/**
 * The monthly budget, checked before each run is claimed: past the tenant's model tokens or usage
 * cost for the month (UTC), or at its agent concurrency, the run is skipped. Crossing 80 % of a
 * budget is a warning event; crossing it is an event and the BudgetExceeded condition, cleared again
 * when a run is allowed (a new month, a raised limit). The decision is pure; the gate does the reads.
 */
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import { setCondition, type Condition } from '../status/conditions.js';
import type { StatusStore } from '../status/store.js';
import { costLines, formatUsd, sum } from './cost.js';
import { readingsByTenant } from './ledger.js';
import type { TenantLimits } from './limits.js';
import type { PriceTable } from './prices.js';
import { monthOf, tokensIn } from './report.js';

export const BUDGET_WARNING_SHARE = 0.8;

export interface MonthToDate {
  tokens: number;
  costUsd: number;
  /** Other agents of the tenant with a run pending or running (an agent's own overlap is its concurrencyPolicy's). */
  otherAgentsActive: number;
}

export type BudgetDecision =
  | { allowed: true; warning?: string; tokensLeft: number }
  | { allowed: false; reason: string };

/** Pure: may a run start, given the month so far and the tenant's limits. */
export function decide(limits: TenantLimits, used: MonthToDate): BudgetDecision {
  if (used.tokens >= limits.monthlyModelTokens) {
    return { allowed: false, reason: `BudgetExceeded: ${used.tokens} of ${limits.monthlyModelTokens} model tokens used this month` };
  }
  if (used.costUsd >= limits.monthlyCostUsd) {
    return { allowed: false, reason: `BudgetExceeded: ${formatUsd(used.costUsd)} of ${formatUsd(limits.monthlyCostUsd)} spent this month` };
  }
  if (used.otherAgentsActive >= limits.agentConcurrency) {
    return { allowed: false, reason: `ConcurrencyLimit: ${used.otherAgentsActive} other agent(s) of the tenant already running (limit ${limits.agentConcurrency})` };
  }
  const tokensShare = used.tokens / Math.max(1, limits.monthlyModelTokens);
  const costShare = used.costUsd / Math.max(0.000001, limits.monthlyCostUsd);
  const warning = Math.max(tokensShare, costShare) >= BUDGET_WARNING_SHARE
    ? `${Math.floor(Math.max(tokensShare, costShare) * 100)}% of the monthly budget used (${used.tokens} of ${limits.monthlyModelTokens} tokens, ${formatUsd(used.costUsd)} of ${formatUsd(limits.monthlyCostUsd)})`
    : undefined;
  return { allowed: true, tokensLeft: limits.monthlyModelTokens - used.tokens, ...(warning ? { warning } : {}) };
}

export interface BudgetGateOptions {
  pool: Pool;
  store: Pick<StatusStore, 'recordEvents'>;
  prices: PriceTable;
  now: () => number;
  log: Logger;
}

type State = 'ok' | 'warned' | 'exceeded';

/** Reads the month so far, decides, and reports transitions (events, the condition) once each. */
export class BudgetGate {
  private readonly states = new Map<string, { month: string; state: State }>();

  constructor(private readonly options: BudgetGateOptions) {}

  async check(tenant: string, agent: string, limits: TenantLimits): Promise<BudgetDecision> {
    const at = new Date(this.options.now());
    const used = await this.monthToDate(tenant, agent, at);
    const decision = decide(limits, used);
    const state: State = !decision.allowed ? (decision.reason.startsWith('BudgetExceeded') ? 'exceeded' : 'ok') : decision.warning ? 'warned' : 'ok';
    const month = monthOf(at).from.toISOString().slice(0, 7);
    const previous = this.states.get(tenant);
    const changed = previous?.month !== month || previous.state !== state;
    this.states.set(tenant, { month, state });
    if (changed) await this.report(tenant, state, decision, at, previous?.state).catch((error) => this.options.log.warn({ err: error, tenant }, 'could not record the budget state'));
    return decision;
  }

  async monthToDate(tenant: string, agent: string, at: Date): Promise<MonthToDate> {
    const month = monthOf(at);
    const [usage, active] = await Promise.all([
      readingsByTenant(this.options.pool, { from: month.from, to: month.to, tenant }),
      this.options.pool.query<{ n: number }>(`SELECT count(DISTINCT agent)::int AS n FROM openclaw.agent_runs WHERE tenant = $1 AND agent <> $2 AND status IN ('pending', 'running')`, [tenant, agent]),
    ]);
    const readings = usage[0]?.readings ?? [];
    return { tokens: tokensIn(readings), costUsd: sum(costLines(readings, this.options.prices).map((l) => l.costUsd)), otherAgentsActive: active.rows[0].n };
  }

  private async report(tenant: string, state: State, decision: BudgetDecision, at: Date, previous: State | undefined): Promise<void> {
    if (state === 'exceeded' && !decision.allowed) {
      await this.options.store.recordEvents([{ type: 'Warning', reason: 'BudgetExceeded', message: `${decision.reason.replace(/^BudgetExceeded: /, '')}: agent runs are skipped until the next month or a higher limit`, tenant, at }]);
      this.options.log.warn({ tenant, reason: decision.reason }, 'budget exceeded: runs are skipped');
    } else if (state === 'warned' && decision.allowed && decision.warning) {
      await this.options.store.recordEvents([{ type: 'Warning', reason: 'BudgetWarning', message: decision.warning, tenant, at }]);
    }
    if (state === 'exceeded' || previous === 'exceeded' || previous === undefined) {
      await this.setCondition(tenant, state === 'exceeded', decision, at);
    }
  }

  /** BudgetExceeded on the tenant's status; the pass keeps conditions it does not own. */
  private async setCondition(tenant: string, exceeded: boolean, decision: BudgetDecision, at: Date): Promise<void> {
    const { rows } = await this.options.pool.query<{ conditions: Condition[] }>('SELECT conditions FROM openclaw.tenant_status WHERE tenant = $1', [tenant]);
    if (rows.length === 0) return;
    const current = rows[0].conditions.find((c) => c.type === 'BudgetExceeded');
    if (!exceeded && !current) return;
    const conditions = setCondition(rows[0].conditions, {
      type: 'BudgetExceeded', status: exceeded ? 'True' : 'False', reason: exceeded ? 'BudgetExceeded' : 'WithinBudget',
      message: !decision.allowed ? decision.reason.replace(/^BudgetExceeded: /, '') : 'runs are within the monthly budget',
    }, at);
    await this.options.pool.query('UPDATE openclaw.tenant_status SET conditions = $2, updated_at = now() WHERE tenant = $1', [tenant, JSON.stringify(conditions)]);
  }
}
