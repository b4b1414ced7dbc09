/**
 * A controller restarted on a converged pooled fleet, in a process of its own (node --expose-gc
 * [heap flags] bench/restart-child.ts), as a deployed controller restarts: it loads the source,
 * makes its first pass, idles as between resyncs, and makes a no-op pass, measured. Its memory is a
 * running controller's, without the high-water mark a cold converge of the whole fleet leaves in the
 * process that made it (V8 keeps the old generation's pages that converge grew, most of them sparse,
 * long after). The world (database, directory, AWS double) is the parent's, named by the environment
 * (BENCH_RESTART: root, idle time, limits and log level; the world's own variables beside it).
 * Prints one JSON object.
 */
import { createLogger } from '../contract/logger.js';
import { isRecord } from '../contract/json.js';
import { noopResync } from './converge.js';
import { AccountQuotas, parseLimits } from './limits.js';
import { measure } from './measure.js';
import { followedByScheduler, memory, rssDuring } from './pool-memory.js';
import { openBenchController } from './world.js';

interface RestartInput {
  root: string;
  envKeys: string[];
  idleMs: number;
  latencyMs: number;
  quotas: string;
  clientLimits: string;
  logLevel: string;
}

function readInput(text: string | undefined): RestartInput {
  const parsed: unknown = JSON.parse(text ?? 'null');
  if (!isRecord(parsed)) throw new Error('BENCH_RESTART must be a JSON object');
  const { root, envKeys, idleMs, latencyMs, quotas, clientLimits, logLevel } = parsed;
  if (typeof root !== 'string' || typeof quotas !== 'string' || typeof clientLimits !== 'string' || typeof logLevel !== 'string') throw new Error('BENCH_RESTART needs root, quotas, clientLimits and logLevel as strings');
  if (typeof idleMs !== 'number' || typeof latencyMs !== 'number') throw new Error('BENCH_RESTART needs idleMs and latencyMs as numbers');
  if (!Array.isArray(envKeys) || !envKeys.every((k): k is string => typeof k === 'string')) throw new Error('BENCH_RESTART needs envKeys as a list of names');
  return { root, envKeys, idleMs, latencyMs, quotas, clientLimits, logLevel };
}

async function main(): Promise<void> {
  const input = readInput(process.env.BENCH_RESTART);
  const env = Object.fromEntries(input.envKeys.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key] ?? '']])));
  const log = createLogger({ level: input.logLevel, destination: process.stderr });
  const quotas = new AccountQuotas({ quotas: parseLimits(input.quotas), latencyMs: input.latencyMs });
  const controller = await openBenchController({ env, root: input.root, log, options: { clientLimits: parseLimits(input.clientLimits) }, quotas });
  const world = { quotas };
  try {
    const stopScheduler = await followedByScheduler(controller);
    const { loop } = controller.ctx;
    const started = memory();
    const { report: _first, ...first } = await measure(world, controller, async () => {
      await loop.refreshSource();
      return loop.pass();
    });
    const afterFirst = memory();
    await new Promise((resolve) => setTimeout(resolve, input.idleMs));
    const { value: noop, ...during } = await rssDuring(() => noopResync(world, controller, false));
    const result = {
      firstPass: {
        wallMs: first.wallMs, cpuMs: first.cpuMs, errors: first.pass.errors, firstError: first.pass.firstError,
        aws: { reads: first.aws.reads, writes: first.aws.writes, byOperation: first.aws.byOperation },
        postgresResourceWrites: first.postgres.resourceWrites, postgresWrites: first.postgres.writes, memory: afterFirst,
      },
      noop: {
        wallMs: noop.wallMs, cpuMs: noop.cpuMs, errors: noop.pass.errors, firstError: noop.pass.firstError,
        writes: { aws: noop.aws.writes, postgresResourceWrites: noop.postgres.resourceWrites },
        reads: { total: noop.aws.reads + noop.postgres.catalogQueries, aws: noop.aws.reads, postgresCatalog: noop.postgres.catalogQueries },
        sourceReread: noop.sourceReread,
        memory: { ...memory(), ...during },
      },
      startMemory: started, idleMsBefore: input.idleMs,
    };
    await stopScheduler();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await controller.ctx.close();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
