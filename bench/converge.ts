/** The passes themselves: cold converge, no-op resync, one tenant changed, one migration pass. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMigrations } from '../controller/db/migrate.js';
import type { PassReport } from '../controller/engine/reconciler.js';
import { postgresModule } from '../controller/resources/postgres/index.js';
import type { Baseline } from './baseline.js';
import { round } from './limits.js';
import { manifestYaml, tenantName, upgradedShape, type BenchIsolation } from './manifests.js';
import { measure, type PassMeasurement } from './measure.js';
import type { BenchController, World } from './world.js';

export type Measured = PassMeasurement & { passes?: number; sourceLoadMs?: number };

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, ms: round(performance.now() - started, 1), cpuMs: round((used.user + used.system) / 1000, 1) };
}

/** Reads the source, then passes until one ends without an error (at most 5): the wall time includes the source read. */
export async function coldConverge(world: World, controller: BenchController): Promise<Measured> {
  const { loop } = controller.ctx;
  const source = await timed(() => loop.refreshSource());
  let passes = 0;
  const result = await measure(world, controller, async () => {
    let report: PassReport | undefined;
    do {
      // Failed tenants wait out their backoff before the next pass retries them.
      if (passes > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(100, (controller.ctx.reconciler.backoff.nextDue() ?? 0) - Date.now())));
      report = await loop.pass();
      passes++;
    } while (passes < 5 && report && (report.fleet.error || report.outcomes.some((o) => o.error)));
    return report;
  });
  const { report: _report, ...rest } = result;
  return { ...rest, wallMs: round(rest.wallMs + source.ms, 1), passes, sourceLoadMs: source.ms };
}

/**
 * A resync of an unchanged revision: one full pass, in steady state. The first pass after a converge
 * is measured too (`settle`): it records in each tenant's status the facts observed after the
 * converge (role ARN, secret count), which the converging pass observed before it created them.
 */
export async function noopResync(world: Pick<World, 'quotas'>, controller: BenchController, settle = true): Promise<Measured & { sourceReread: { ms: number; cpuMs: number }; settle?: Measured }> {
  const { loop } = controller.ctx;
  // What each source poll costs even when nothing changed (the directory source reads and validates every file).
  const reread = await timed(() => loop.refreshSource());
  let first: Measured | undefined;
  if (settle) {
    const { report: _first, ...rest } = await measure(world, controller, () => loop.pass());
    first = rest;
  }
  const { report: _report, ...result } = await measure(world, controller, () => loop.pass());
  return { ...result, sourceReread: { ms: reread.ms, cpuMs: reread.cpuMs }, ...(first ? { settle: first } : {}) };
}

/**
 * Upgrades one starter tenant (index `index`) to professional with scout and a HubSpot integration,
 * then: the source read that sees it, and the pass for just that tenant, timed from seen to converged.
 */
export async function oneTenantChange(world: World, controller: BenchController, index: number, baseline?: Baseline, isolation: BenchIsolation = 'silo'): Promise<Measured & { tenant: string; detectMs: number; only: string[]; followUpChanges: number }> {
  const { loop } = controller.ctx;
  const tenant = tenantName(index, isolation === 'pool' ? 'pool' : 'bench');
  writeFileSync(join(world.dir, `${tenant}.yaml`), manifestYaml(tenant, index, upgradedShape(), isolation));
  const seen = await timed(() => loop.refreshSource());
  if (!seen.value.snapshot || !seen.value.changed) throw new Error(`the source did not see the change to ${tenant}`);
  const only = loop.changedTenants(seen.value.snapshot);
  if (baseline) baseline.focus = only;
  try {
    const { report: _report, ...result } = await measure(world, controller, () => loop.pass({ only }));
    const followUp = await loop.pass({ only });
    return { ...result, tenant, detectMs: seen.ms, only: [...only], followUpChanges: followUp?.changesApplied ?? -1 };
  } finally {
    if (baseline) baseline.focus = undefined;
  }
}

/** Brings a controller's per-tenant fingerprints up to date after another controller changed the world. */
export async function catchUp(controller: BenchController, baseline?: Baseline): Promise<void> {
  const { loop } = controller.ctx;
  const { snapshot } = await loop.refreshSource();
  if (!snapshot) return;
  const only = loop.changedTenants(snapshot);
  if (only.size === 0) return;
  if (baseline) baseline.focus = only;
  try {
    await loop.pass({ only });
  } finally {
    if (baseline) baseline.focus = undefined;
  }
}

export const PROBE_MIGRATION = {
  version: 9001,
  name: 'bench_probe',
  sql: `CREATE TABLE bench_probe (id bigserial PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX bench_probe_created ON bench_probe (created_at);`,
};

/** A new tenant-schema migration (a table and an index), applied by one pass over `schemas` tenants. */
export async function migrationPass(world: World, controller: BenchController, schemas: number, tenants: number): Promise<Measured & { schemas: number; migrated: number }> {
  const { ctx } = controller;
  await ctx.loop.refreshSource();
  const index = ctx.modules.findIndex((m) => m.kind === 'postgres');
  ctx.modules[index] = postgresModule({ pool: ctx.pool, credentials: ctx.provider.credentials, migrations: [...await readMigrations('tenant'), PROBE_MIGRATION] });
  const only = schemas < tenants ? new Set(Array.from({ length: schemas }, (_, i) => tenantName(i + 1))) : undefined;
  const { report, ...result } = await measure(world, controller, () => ctx.loop.pass(only ? { only } : {}));
  const migrated = report?.outcomes.reduce((n, o) => n + o.applied.filter((c) => c.resource.startsWith('migrations/')).length, 0) ?? 0;
  return { ...result, schemas, migrated };
}
