/**
 * The benchmark: every scenario of issue 9, in an order that lets each share the world it needs,
 * emitting one JSON object per scenario as soon as it (and its baseline) has run.
 */
import { cpus, totalmem } from 'node:os';
import { installBaseline, type Baseline } from './baseline.js';
import { catchUp, coldConverge, migrationPass, noopResync, oneTenantChange, type Measured } from './converge.js';
import { launchSpreading } from './launch.js';
import { QUOTA_SOURCES, rateFloor, round } from './limits.js';
import { minimumWrites } from './manifests.js';
import { ratio } from './measure.js';
import type { BenchOptions, ScenarioName } from './options.js';
import { poolScenarios } from './pool.js';
import { runScaleChild } from './scale.js';
import { validateLinear } from './validate-linear.js';
import { createWorld, type BenchController, type World } from './world.js';

export type ScenarioResult = { scenario: string } & Record<string, unknown>;

/** Resource kinds, and resources per tenant (role + inline policy, secrets, marker, schema + 2 roles + grants + migrations). */
const KINDS = 4;
function resourcesPerTenant(integrations: number): number {
  return 2 + (1 + integrations) + 1 + 5;
}

const pick = (m: Measured) => ({ wallMs: m.wallMs, cpuMs: m.cpuMs, aws: { total: m.aws.total, reads: m.aws.reads, writes: m.aws.writes, byService: m.aws.byService }, throttled: m.throttled.total, postgres: m.postgres, errors: m.pass.errors });

export async function runBench(options: BenchOptions, emit: (result: ScenarioResult) => void, progress: (line: string) => void = () => {}): Promise<void> {
  const want = (s: ScenarioName) => options.scenarios.includes(s);
  const n = options.tenants;
  emit({
    scenario: 'environment',
    node: process.version, platform: `${process.platform}/${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGB: round(totalmem() / 2 ** 30, 1),
    tenants: n, latencyMs: options.latencyMs, scaleTenants: options.scaleTenants, schemas: options.schemas, launches: options.launches,
    baseline: options.baseline, awsDouble: { pooled: options.awsDouble ?? 'process', others: options.awsDouble ?? 'inline' }, awsQuotas: options.quotas, clientLimits: options.clientLimits, quotaSources: QUOTA_SOURCES,
  });

  // The naive design's cold converge needs a world of its own (cluster-wide roles), so it runs first.
  let baselineCold: Measured | undefined;
  if (want('cold-converge') && options.baseline) {
    progress(`baseline cold converge of ${n} tenants (per-tenant observation)…`);
    const world = await createWorld(options, n, 'bench', 'silo', options.awsDouble ?? 'inline');
    try {
      const controller = await world.open();
      await installBaseline(controller.ctx, controller.clients, options.clientLimits);
      baselineCold = await coldConverge(world, controller);
    } finally {
      await world.close();
    }
  }

  const needsWorld = (['cold-converge', 'noop-resync', 'one-tenant-change', 'migrations', 'launch-spreading'] as const).some(want);
  if (needsWorld) {
    const world = await createWorld(options, n, 'bench', 'silo', options.awsDouble ?? 'inline');
    try {
      await worldScenarios(world, options, emit, progress, baselineCold);
    } finally {
      await world.close();
    }
  }

  if (want('validate-scale')) {
    progress(`validating ${options.scaleTenants} manifests…`);
    emit({ scenario: 'validate-scale', ...(await runScaleChild('validate', options.scaleTenants)) });
  }
  if (want('validate-linear')) {
    progress('validation time per byte, and the hostile shapes…');
    const documents = Math.min(400, options.scaleTenants);
    emit({ scenario: 'validate-linear', ...validateLinear({ maxDocuments: documents, quadraticKeys: Math.min(8_000, documents * 20) }) });
  }
  if (want('memory-scale')) {
    progress(`loading ${options.scaleTenants} tenants into memory…`);
    emit({ scenario: 'memory-scale', ...(await runScaleChild('memory', options.scaleTenants)) });
  }
  if (want('source-poll')) {
    progress(`polling ${options.scaleTenants} manifest files…`);
    emit({ scenario: 'source-poll', ...(await runScaleChild('poll', options.scaleTenants)) });
  }
  if ((['pool-cold-converge', 'pool-noop', 'pool-one-change', 'pool-runs'] as const).some(want)) await poolScenarios(options, emit, progress);
}

async function worldScenarios(world: World, options: BenchOptions, emit: (r: ScenarioResult) => void, progress: (line: string) => void, baselineCold?: Measured): Promise<void> {
  const want = (s: ScenarioName) => options.scenarios.includes(s);
  const n = options.tenants;
  const main = await world.open();
  const concurrency = main.ctx.config.engine.concurrency;

  progress(`cold converge of ${n} tenants…`);
  const cold = await coldConverge(world, main);
  if (want('cold-converge')) {
    const floor = rateFloor(minimumWrites(n), options.quotas);
    const minimum = minimumWrites(n);
    emit({
      scenario: 'cold-converge', tenants: n, latencyMs: options.latencyMs, concurrency,
      ...pick(cold), passes: cold.passes, sourceLoadMs: cold.sourceLoadMs, callsByOperation: cold.aws.byOperation, throttledByOperation: cold.throttled.byOperation,
      firstError: cold.pass.firstError,
      floor, wallToFloor: ratio(cold.wallMs / 1000, floor.seconds),
      writesVsMinimum: Object.fromEntries(Object.entries(minimum).map(([s, min]) => [s, { actual: cold.aws.byService[s]?.writes ?? 0, minimum: min }])),
      baseline: baselineCold ? { ...pick(baselineCold), callsByOperation: baselineCold.aws.byOperation, wallToFloor: ratio(baselineCold.wallMs / 1000, floor.seconds) } : null,
      ratios: baselineCold ? { wall: ratio(baselineCold.wallMs, cold.wallMs), awsCalls: ratio(baselineCold.aws.total, cold.aws.total), awsReads: ratio(baselineCold.aws.reads, cold.aws.reads) } : null,
    });
  }

  let base: { controller: BenchController; baseline: Baseline } | undefined;
  const baselineController = async () => {
    if (!base) {
      const controller = await world.open();
      base = { controller, baseline: await installBaseline(controller.ctx, controller.clients, options.clientLimits) };
      await controller.ctx.loop.refreshSource();
    }
    return base;
  };

  if (want('noop-resync')) {
    progress('no-op resync…');
    const noop = await noopResync(world, main);
    let naive: Measured | undefined;
    if (options.baseline) {
      progress('baseline no-op resync (per-tenant observation)…');
      const b = await baselineController();
      naive = await noopResync(world, b.controller, false);
    }
    const reads = noop.aws.reads + noop.postgres.catalogQueries;
    const naiveReads = naive ? naive.aws.reads + naive.postgres.catalogQueries : undefined;
    const integrations = (minimumWrites(n).secretsmanager - n) / n;
    emit({
      scenario: 'noop-resync', tenants: n, ...pick(noop),
      writes: { aws: noop.aws.writes, postgresResourceWrites: noop.postgres.resourceWrites },
      reads: { total: reads, aws: noop.aws.reads, postgresCatalog: noop.postgres.catalogQueries, byOperation: noop.aws.byOperation },
      sourceReread: noop.sourceReread,
      firstResyncAfterConverge: noop.settle ? { ...pick(noop.settle), statusRowsWritten: noop.settle.postgres.writes } : null,
      onePerTenantPerKind: n * KINDS, fewerThanOnePerTenantPerKind: ratio(n * KINDS, reads, 1),
      onePerTenantPerResource: Math.round(n * resourcesPerTenant(integrations)), fewerThanOnePerTenantPerResource: ratio(n * resourcesPerTenant(integrations), reads, 1),
      baseline: naive ? { ...pick(naive), reads: { total: naiveReads, aws: naive.aws.reads, postgresCatalog: naive.postgres.catalogQueries, byOperation: naive.aws.byOperation }, writes: { aws: naive.aws.writes, postgresResourceWrites: naive.postgres.resourceWrites } } : null,
      ratios: naive ? { reads: ratio(naiveReads, reads, 1), awsReads: ratio(naive.aws.reads, noop.aws.reads, 1), wall: ratio(naive.wallMs, noop.wallMs, 1), cpu: ratio(naive.cpuMs, noop.cpuMs, 1) } : null,
    });
  }

  if (want('one-tenant-change')) {
    progress('one tenant changed…');
    const change = await oneTenantChange(world, main, 1);
    let naive: Awaited<ReturnType<typeof oneTenantChange>> | undefined;
    if (options.baseline) {
      const b = await baselineController();
      await catchUp(b.controller, b.baseline);
      naive = await oneTenantChange(world, b.controller, 2, b.baseline);
    }
    const shape = (c: Awaited<ReturnType<typeof oneTenantChange>>) => ({
      tenant: c.tenant, only: c.only, detectMs: c.detectMs, seenToConvergedMs: c.wallMs, cpuMs: c.cpuMs, changesApplied: c.pass.changesApplied, followUpChanges: c.followUpChanges,
      aws: { total: c.aws.total, reads: c.aws.reads, writes: c.aws.writes, byOperation: c.aws.byOperation }, throttled: c.throttled.total, postgres: c.postgres, errors: c.pass.errors, firstError: c.pass.firstError,
    });
    emit({
      scenario: 'one-tenant-change', tenants: n, ...shape(change),
      baseline: naive ? shape(naive) : null,
      ratios: naive ? { seenToConverged: ratio(naive.wallMs, change.wallMs), awsCalls: ratio(naive.aws.total, change.aws.total) } : null,
    });
  }

  if (want('migrations')) {
    progress(`one migration pass over ${options.schemas} schemas…`);
    const migrated = await migrationPass(world, main, options.schemas, n);
    emit({ scenario: 'migrations', tenants: n, schemas: migrated.schemas, migrated: migrated.migrated, ...pick(migrated), perSchemaMs: round(migrated.wallMs / Math.max(1, migrated.migrated), 2), firstError: migrated.pass.firstError });
  }

  if (want('launch-spreading')) {
    progress(`${options.launches} agent runs due at once…`);
    emit({ scenario: 'launch-spreading', ...(await launchSpreading(world, main, options.launches)) });
  }
}
