import type { MeterReading } from '../../contract/meters.js';
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

/**
 * One app.usage row per run, and one app.usage_meters row per meter and dimension. Both are keyed
 * by the run id: a retried run replaces what an earlier attempt recorded, so it is not billed twice.
 */
export async function recordUsage(db: Queryable, usage: RunUsage, readings: readonly MeterReading[] = []): Promise<void> {
  await db.query(
    `INSERT INTO app.usage (tenant_id, agent, run_id, started_at, duration_ms, items_processed, model, input_tokens, output_tokens)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (tenant_id, run_id) DO UPDATE SET started_at = EXCLUDED.started_at, duration_ms = EXCLUDED.duration_ms,
       items_processed = EXCLUDED.items_processed, model = EXCLUDED.model, input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens`,
    [usage.tenant, usage.agent, usage.runId, usage.startedAt, Math.round(usage.durationMs), usage.itemsProcessed, usage.model, usage.inputTokens, usage.outputTokens],
  );
  await db.query('DELETE FROM app.usage_meters WHERE tenant_id = $1 AND run_id = $2', [usage.tenant, usage.runId]);
  if (readings.length === 0) return;
  await db.query(
    `INSERT INTO app.usage_meters (tenant_id, run_id, meter, dimension, quantity, occurred_at)
     SELECT $1, $2, r.meter, r.dimension, r.quantity, $3 FROM unnest($4::text[], $5::text[], $6::numeric[]) AS r(meter, dimension, quantity)`,
    [usage.tenant, usage.runId, usage.startedAt, readings.map((r) => r.meter), readings.map((r) => r.dimension), readings.map((r) => r.quantity)],
  );
}
