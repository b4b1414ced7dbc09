/**
 * The pooled fleet at scale (opt-in: `--scenarios pool-cold-converge,…`, `--pool-tenants N`, 100,000
 * by default): N tenants with `isolation: pool` in one world, converged cold, resynced without a
 * change, one of them changed; then N pooled agent runs handed to the PostgreSQL queue and drained by
 * 1, 2, 4, 8 local workers (controller/pool/worker.ts) whose agent does nothing, so the queue is
 * what is measured.
 */
import { desiredTenant } from '../controller/desired/tenant.js';
import { createPool } from '../controller/db/pool.js';
import { pooledLauncher } from '../controller/pool/launcher.js';
import { PoolQueue } from '../controller/pool/queue.js';
import { PoolWorker } from '../controller/pool/worker.js';
import { toEntry } from '../controller/scheduler/entries.js';
import type { Launcher } from '../controller/scheduler/launcher.js';
import { runEnvironment } from '../controller/scheduler/run-env.js';
import { mapLimit } from '../contract/concurrency.js';
import { coldConverge, noopResync, oneTenantChange, type Measured } from './converge.js';
import { formatLimits, rateFloor, round } from './limits.js';
import { collect } from './collect.js';
import { followedByScheduler, heapFlags, MB, memory, rssDuring } from './pool-memory.js';
import { runBenchChild } from './scale.js';
import { measure, ratio } from './measure.js';
import type { BenchOptions, ScenarioName } from './options.js';
import type { ScenarioResult } from './suite.js';
import { createWorld, type BenchController, type World } from './world.js';

/** Whose memory this process's is: the controller's alone when the AWS double is in a child process. */
const memoryOf = (world: World) => (world.aws.where === 'process' ? 'the controller alone (the AWS double in a child process)' : 'the controller and the AWS double (one process)');

const calls = (m: Measured) => ({ total: m.aws.total, reads: m.aws.reads, writes: m.aws.writes, byOperation: m.aws.byOperation });

export async function poolScenarios(options: BenchOptions, emit: (result: ScenarioResult) => void, progress: (line: string) => void): Promise<void> {
  const want = (s: ScenarioName) => options.scenarios.includes(s);
  const n = options.poolTenants;
  progress(`writing ${n} pooled manifests…`);
  const world = await createWorld(options, n, 'pool', 'pool', options.awsDouble ?? 'process');
  try {
    const main = await world.open();
    const stopScheduler = await followedByScheduler(main);
    progress(`cold converge of ${n} pooled tenants (the AWS double ${world.aws.where === 'process' ? 'in a child process' : 'in this process'})…`);
    const doubleBefore = world.aws.where === 'process' ? await world.aws.usage() : undefined;
    const cold = await coldConverge(world, main);
    const doubleAfter = doubleBefore ? await world.aws.usage() : undefined;
    // The double's log of every call (100,000 PutObject inputs) is the benchmark's, not the controller's: counts come from the provider.
    await world.aws.resetCalls();
    if (want('pool-cold-converge')) {
      const writes = Object.fromEntries(Object.entries(cold.aws.byService).map(([service, c]) => [service, c.writes]));
      const floor = rateFloor(writes, options.quotas);
      emit({
        scenario: 'pool-cold-converge', tenants: n, awsDouble: world.aws.where, wallMs: cold.wallMs, cpuMs: cold.cpuMs,
        ...(doubleBefore && doubleAfter ? { awsDoubleCpuMs: round(doubleAfter.cpuMs - doubleBefore.cpuMs, 1) } : {}), passes: cold.passes, sourceLoadMs: cold.sourceLoadMs, errors: cold.pass.errors, firstError: cold.pass.firstError,
        aws: calls(cold), throttled: cold.throttled.total, postgres: cold.postgres,
        writesPerTenant: Object.fromEntries(Object.entries(writes).map(([service, w]) => [service, round(w / n, 3)])),
        postgresStatementsPerTenant: round((cold.postgres.writes ?? 0) / n, 2),
        floor, wallToFloor: ratio(cold.wallMs / 1000, floor.seconds), memory: memory(),
      });
    }
    if (want('pool-noop')) {
      progress(`no-op pass of ${n} pooled tenants…`);
      // The first pass after the converge records the facts observed after it (below); the no-op pass is the one after.
      const { report: _settled, ...settle } = await measure(world, main, () => main.ctx.loop.pass());
      await world.aws.resetCalls();
      progress(`idle for ${options.poolIdleMs} ms, as between resyncs…`);
      await new Promise((resolve) => setTimeout(resolve, options.poolIdleMs));
      const { value: noop, ...during } = await rssDuring(() => noopResync(world, main, false));
      const double = world.aws.where === 'process' ? await world.aws.usage() : undefined;
      emit({
        scenario: 'pool-noop', tenants: n, awsDouble: world.aws.where, wallMs: noop.wallMs, cpuMs: noop.cpuMs, errors: noop.pass.errors,
        writes: { aws: noop.aws.writes, postgresResourceWrites: noop.postgres.resourceWrites },
        reads: { total: noop.aws.reads + noop.postgres.catalogQueries, aws: noop.aws.reads, postgresCatalog: noop.postgres.catalogQueries, byOperation: noop.aws.byOperation },
        sourceReread: noop.sourceReread, firstResyncAfterConverge: { wallMs: settle.wallMs, cpuMs: settle.cpuMs, statusRowsWritten: settle.postgres.writes },
        // During: the source reread and the no-op pass, after idling as between resyncs.
        idleMsBefore: options.poolIdleMs,
        memory: { of: memoryOf(world), ...memory(), ...during },
        awsDoubleProcess: double ? { rssMB: double.rssMB, heapUsedMB: double.heapUsedMB, externalMB: double.externalMB } : null,
      });
    }
    if (want('pool-noop') && world.aws.where === 'process') {
      progress(`a controller restarted on the ${n} converged tenants, in a process of its own…`);
      emit({ scenario: 'pool-noop-restarted', tenants: n, awsDouble: world.aws.where, ...(await restartedController(world)) });
    }
    if (want('pool-one-change')) {
      progress(`one pooled tenant changed among ${n}…`);
      const change = await oneTenantChange(world, main, 1, undefined, 'pool');
      emit({
        scenario: 'pool-one-change', tenants: n, tenant: change.tenant, only: change.only, detectMs: change.detectMs, seenToConvergedMs: change.wallMs, cpuMs: change.cpuMs,
        changesApplied: change.pass.changesApplied, followUpChanges: change.followUpChanges, aws: calls(change), postgres: change.postgres, errors: change.pass.errors, firstError: change.pass.firstError,
        memory: memory(),
      });
    }
    if (want('pool-runs')) {
      for (const workers of options.poolWorkers) {
        progress(`${options.poolRuns} pooled runs drained by ${workers} worker(s)…`);
        emit({ scenario: 'pool-runs', ...(await pooledRuns(world, main, options.poolRuns, workers, options.poolSample)) });
      }
    }
    if (want('pool-noop')) emit({ scenario: 'pool-memory', tenants: n, ...(await memoryShares(world)) });
    await stopScheduler();
  } finally {
    await world.close();
  }
}

/**
 * A controller restarted on the world, in a process of its own with this one's heap flags, reaching the
 * AWS double's process as this one does (restart-child.ts): its first pass, and its no-op pass after
 * idling as between resyncs.
 */
function restartedController(world: World): Promise<Record<string, unknown>> {
  const { options } = world;
  const input = {
    root: world.root, envKeys: Object.keys(world.env), idleMs: options.poolIdleMs, latencyMs: options.latencyMs,
    quotas: formatLimits(options.quotas), clientLimits: formatLimits(options.clientLimits), logLevel: options.logLevel,
  };
  return runBenchChild('restart-child', [], { env: { ...world.env, BENCH_RESTART: JSON.stringify(input) }, nodeFlags: heapFlags() });
}

/**
 * What the controller holds and what the AWS double's bucket (the tenants' markers) holds, collected
 * (--expose-gc only): in a child process, each process measured by itself; in this process, the bucket's
 * share measured by dropping it. Run last: the double has no bucket afterwards.
 */
async function memoryShares(world: World) {
  collect();
  const own = process.memoryUsage();
  const ownHeldMB = round((own.heapUsed + own.external) / MB, 1);
  const share = await world.aws.bucketShare();
  const controller = world.aws.where === 'process'
    ? { heldMB: ownHeldMB, heapUsedMB: round(own.heapUsed / MB, 1), rssMB: round(own.rss / MB, 1) }
    : { heldMB: round(share.heldMB - share.bucketMB, 1), heapUsedMB: undefined, rssMB: undefined };
  return {
    awsDouble: world.aws.where, collected: share.collected, awsDoubleBucketMB: share.bucketMB,
    controller,
    awsDoubleProcess: world.aws.where === 'process' ? { pid: world.aws.pid, heldMB: share.heldMB, rssMB: share.rssMB } : null,
    // Inline, this process holds both: its RSS is the controller's and the double's together.
    processRssMB: world.aws.where === 'process' ? undefined : share.rssMB,
  };
}

/** A launcher whose agent exits 0 at once: what remains of a run is the queue and the grant. */
function noopAgent(): Launcher {
  return {
    name: 'a no-op agent', pollMs: 1_000,
    launch: async (request) => ({ taskArn: `noop:${request.runId}` }),
    stop: async () => {},
    describe: async (taskArns) => taskArns.map((taskArn) => ({ taskArn, status: 'stopped' as const, exitCode: 0 })),
    close: async () => {},
  };
}

/**
 * `runs` butler runs of the world's tenants handed to the queue as the scheduler hands them
 * (pooledLauncher.launch), then `sample` of them (all by default) drained by `workers` PoolWorkers,
 * each with a connection of its own; the runs left over keep the queue as deep as a full hour's.
 */
export async function pooledRuns(world: World, controller: BenchController, runs: number, workers: number, sample = runs) {
  const { ctx } = controller;
  await ctx.pool.query('TRUNCATE openclaw.pool_queue');
  const { tenants } = await ctx.source.load();
  const entries = tenants.map((t) => {
    const desired = desiredTenant(t.manifest, ctx.desiredContext);
    return toEntry(desired, desired.agents[0]);
  });
  const launcher = pooledLauncher(new PoolQueue(ctx.pool));
  const enqueueStarted = performance.now();
  await mapLimit(Array.from({ length: runs }, (_, i) => i), 8, async (i) => {
    const entry = entries[i % entries.length];
    const runId = `bench-run-${workers}-${i}`;
    await launcher.launch({ runId, entry, env: runEnvironment(entry, runId, { arn: (name) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}` }) });
  });
  const enqueueMs = performance.now() - enqueueStarted;
  const pools = Array.from({ length: workers }, () => createPool(world.db.url, { max: 1 }));
  try {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const measured = Math.min(sample, runs);
    let claimed = 0;
    const ran = await Promise.all(pools.map(async (pool, i) => {
      const worker = new PoolWorker({ name: `bench-worker-${i}`, queue: new PoolQueue(pool), pool, executor: noopAgent(), log: world.log });
      let mine = 0;
      while (claimed < measured) {
        claimed++;
        if (!(await worker.step())) break;
        mine++;
      }
      return mine;
    }));
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const { rows } = await ctx.pool.query<{ finished: number; failed: number }>(`SELECT count(*) FILTER (WHERE finished_at IS NOT NULL)::int AS finished, count(*) FILTER (WHERE finished_at IS NOT NULL AND exit_code IS DISTINCT FROM 0)::int AS failed FROM openclaw.pool_queue`);
    const perSecond = round(measured / (wallMs / 1000), 1);
    const neededPerSecond = round(runs / 3600, 1);
    return {
      runs, workers, measured, ran: ran.reduce((a, b) => a + b, 0), finished: rows[0].finished, failed: rows[0].failed,
      enqueueMs: round(enqueueMs, 0), enqueuePerSecond: round(runs / (enqueueMs / 1000), 1),
      wallMs: round(wallMs, 0), cpuMs: round((used.user + used.system) / 1000, 0), runsPerSecond: perSecond,
      dueInOneHour: { neededPerSecond, headroom: ratio(perSecond, neededPerSecond) },
    };
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
}
