/**
 * The usage ledger (openclaw.usage_records): written when a run ends, read by the views, the
 * budget and the period close. Idempotent per (tenant, run, meter, dimension).
 */
import type { Pool, PoolClient } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import { quoteIdent } from '../../contract/sql.js';
import { isOneOf } from '../../contract/one-of.js';
import { names } from '../../contract/names.js';
import { POOL_LOGIN } from '../../contract/agent-env.js';
import type { TaskState } from '../scheduler/launcher.js';
import { AGENT_METERS, METERS, isMeterName, type MeterReading } from '../../contract/meters.js';

/** Fargate bills per second with a one-minute minimum. */
export const FARGATE_MINIMUM_SECONDS = 60;

export interface FinishedRun {
  id: string;
  tenant: string;
  agent: string;
  scheduledAt: Date;
}

/**
 * Pure: what the controller measured of a run from its task — wall-clock seconds between its real
 * start and stop, and for a sized task vCPU-seconds and GB-seconds billed from the image pull (or
 * start) to the stop, with Fargate's one-minute minimum, on on-demand or spot capacity.
 */
export function taskReadings(agent: string, task: Pick<TaskState, 'startedAt' | 'stoppedAt' | 'resources'>): MeterReading[] {
  if (task.startedAt === undefined || task.stoppedAt === undefined) return [];
  const readings: MeterReading[] = [{ meter: METERS.runSeconds, dimension: agent, quantity: Math.max(0, task.stoppedAt - task.startedAt) / 1000 }];
  const r = task.resources;
  if (!r) return readings;
  const billedSeconds = Math.max(FARGATE_MINIMUM_SECONDS, Math.ceil(Math.max(0, task.stoppedAt - (r.billedFrom ?? task.startedAt)) / 1000));
  readings.push(
    { meter: METERS.fargateVcpuSeconds, dimension: r.capacity, quantity: r.vcpu * billedSeconds },
    { meter: METERS.fargateGbSeconds, dimension: r.capacity, quantity: r.memoryGb * billedSeconds },
  );
  return readings;
}

const INSERT = `INSERT INTO openclaw.usage_records (tenant, run_id, meter, dimension, quantity, occurred_at)
  SELECT $1, $2, r.meter, r.dimension, r.quantity, $3 FROM unnest($4::text[], $5::text[], $6::numeric[]) AS r(meter, dimension, quantity)
  ON CONFLICT DO NOTHING`;

async function insertReadings(client: PoolClient, run: FinishedRun, at: Date, readings: readonly MeterReading[]): Promise<void> {
  if (readings.length === 0) return;
  await client.query(INSERT, [run.tenant, run.id, at, readings.map((r) => r.meter), readings.map((r) => r.dimension), readings.map((r) => r.quantity)]);
}

/**
 * Meters a finished run into the ledger, in one transaction: the task's readings, and what the
 * agent recorded in app.usage_meters — read as the tenant's runtime role (a pooled tenant's: as the
 * pool, bound to the tenant), so row-level security scopes the read, and only the meters an agent may
 * record (never compute, which is measured here). The run counts in the month it was scheduled in.
 * Returns the number of readings.
 */
export async function meterRun(pool: Pool, run: FinishedRun, task: Pick<TaskState, 'startedAt' | 'stoppedAt' | 'resources'>): Promise<number> {
  const own = taskReadings(run.agent, task);
  return withTransaction(pool, async (client) => {
    const agentReadings = await readAgentMeters(client, run);
    await insertReadings(client, run, run.scheduledAt, [...own, ...agentReadings]);
    return own.length + agentReadings.length;
  });
}

async function readAgentMeters(client: PoolClient, run: FinishedRun): Promise<MeterReading[]> {
  const runtime = names.pgRuntimeRole(run.tenant);
  const { rows: [found] } = await client.query<{ silo: boolean; pool: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS silo, to_regclass('app_private.pool_sessions') IS NOT NULL AS pool`, [runtime],
  );
  if (!found.silo && !found.pool) return [];
  const pooled = !found.silo;
  await client.query('SAVEPOINT agent_meters');
  if (pooled) {
    // A pooled tenant has no role of its own: this session is bound to it as a pooled run's is, for this
    // read only (the binding is removed before the transaction commits, so no other session ever sees it).
    await client.query(
      `INSERT INTO app_private.pool_sessions (pid, backend_start, tenant, run_id)
       SELECT a.pid, a.backend_start, $1, $2 FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()`, [run.tenant, run.id],
    );
    await client.query(`SET LOCAL ROLE ${quoteIdent(POOL_LOGIN)}`);
  } else {
    await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [run.tenant]);
    await client.query(`SET LOCAL ROLE ${quoteIdent(runtime)}`);
  }
  const { rows } = await client.query<{ meter: string; dimension: string; quantity: string }>(
    'SELECT meter, dimension, quantity::text AS quantity FROM app.usage_meters WHERE tenant_id = $1 AND run_id = $2', [run.tenant, run.id],
  );
  await client.query('RESET ROLE');
  if (pooled) await client.query('DELETE FROM app_private.pool_sessions WHERE pid = pg_backend_pid()');
  await client.query('RELEASE SAVEPOINT agent_meters');
  return rows.flatMap((r) => (isOneOf(AGENT_METERS, r.meter) ? [{ meter: r.meter, dimension: r.dimension, quantity: Number(r.quantity) }] : []));
}

export interface TenantReadings {
  tenant: string;
  readings: MeterReading[];
}

const toReading = (r: { meter: string; dimension: string; quantity: string }): MeterReading | undefined =>
  (isMeterName(r.meter) ? { meter: r.meter, dimension: r.dimension, quantity: Number(r.quantity) } : undefined);

/** Usage per tenant, meter and dimension over [from, to), for one tenant or all. */
export async function readingsByTenant(pool: Pool, range: { from: Date; to: Date; tenant?: string }): Promise<TenantReadings[]> {
  const { rows } = await pool.query<{ tenant: string; meter: string; dimension: string; quantity: string }>(
    `SELECT tenant, meter, dimension, sum(quantity)::text AS quantity FROM openclaw.usage_records
      WHERE occurred_at >= $1 AND occurred_at < $2 AND ($3::text IS NULL OR tenant = $3)
      GROUP BY tenant, meter, dimension ORDER BY tenant, meter, dimension`,
    [range.from, range.to, range.tenant ?? null],
  );
  const byTenant = new Map<string, MeterReading[]>();
  for (const row of rows) {
    const reading = toReading(row);
    if (reading) byTenant.set(row.tenant, [...(byTenant.get(row.tenant) ?? []), reading]);
  }
  return [...byTenant].map(([tenant, readings]) => ({ tenant, readings }));
}

/** One tenant's usage per UTC day, meter and dimension over [from, to). */
export async function dailyReadings(pool: Pool, tenant: string, range: { from: Date; to: Date }): Promise<{ day: string; readings: MeterReading[] }[]> {
  const { rows } = await pool.query<{ day: string; meter: string; dimension: string; quantity: string }>(
    `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, meter, dimension, sum(quantity)::text AS quantity
       FROM openclaw.usage_records WHERE tenant = $1 AND occurred_at >= $2 AND occurred_at < $3
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [tenant, range.from, range.to],
  );
  const byDay = new Map<string, MeterReading[]>();
  for (const row of rows) {
    const reading = toReading(row);
    if (reading) byDay.set(row.day, [...(byDay.get(row.day) ?? []), reading]);
  }
  return [...byDay].map(([day, readings]) => ({ day, readings }));
}
