import type { Queryable } from './db.js';
import type { AgentOutput } from './agent.js';
import type { ModelUsage } from './model.js';

export interface RunUsage extends ModelUsage {
  tenant: string;
  agent: string;
  runId: string;
  startedAt: Date;
  durationMs: number;
  itemsProcessed: number;
}

/** One app.agent_outputs row per object the run wrote (RLS checks the tenant on insert). */
export async function recordOutputs(db: Queryable, tenant: string, agent: string, runId: string, outputs: readonly AgentOutput[]): Promise<void> {
  if (outputs.length === 0) return;
  await db.query(
    `INSERT INTO app.agent_outputs (tenant_id, agent, run_id, kind, object_key, summary)
     SELECT $1, $2, $3, o.kind, o.key, o.summary FROM unnest($4::text[], $5::text[], $6::text[]) AS o(kind, key, summary)`,
    [tenant, agent, runId, outputs.map((o) => o.kind), outputs.map((o) => o.key), outputs.map((o) => o.summary)],
  );
}

/** One app.usage row per run: what is charged back to the tenant. */
export async function recordUsage(db: Queryable, usage: RunUsage): Promise<void> {
  await db.query(
    `INSERT INTO app.usage (tenant_id, agent, run_id, started_at, duration_ms, items_processed, model, input_tokens, output_tokens)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [usage.tenant, usage.agent, usage.runId, usage.startedAt, Math.round(usage.durationMs), usage.itemsProcessed, usage.model, usage.inputTokens, usage.outputTokens],
  );
}
