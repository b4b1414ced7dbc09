/**
 * The benchmark's settings: flags first, then BENCH_* environment variables, then defaults.
 * `npm run bench -- --help` prints them.
 */
import { DEFAULT_RATE_LIMITS, type RateLimit } from '../controller/providers/aws/rate-limit.js';
import { AWS_DOUBLE_WHERE, type AwsDoubleWhere } from './aws-double-host.js';
import { AWS_QUOTAS, parseLimits, type Quota } from './limits.js';

export const SCENARIOS = ['cold-converge', 'noop-resync', 'one-tenant-change', 'migrations', 'launch-spreading', 'validate-scale', 'validate-linear', 'memory-scale'] as const;
/** The pooled fleet at 100,000 tenants (bench/pool.ts): run only when named in --scenarios. */
export const POOL_SCENARIOS = ['pool-cold-converge', 'pool-noop', 'pool-one-change', 'pool-runs'] as const;
/** The directory source's poll at --scale-tenants files (bench/scale-child.ts poll): run only when named. */
export const SOURCE_SCENARIOS = ['source-poll'] as const;
export type ScenarioName = (typeof SCENARIOS)[number] | (typeof POOL_SCENARIOS)[number] | (typeof SOURCE_SCENARIOS)[number];
const ALL_SCENARIOS: readonly string[] = [...SCENARIOS, ...POOL_SCENARIOS, ...SOURCE_SCENARIOS];

export interface BenchOptions {
  /** Tenants in the converge, resync and change scenarios. */
  tenants: number;
  /** Latency the AWS double adds to every call (real sleeping). */
  latencyMs: number;
  /** Manifests validated, and tenants held in memory, in the scale scenarios. */
  scaleTenants: number;
  /** Schemas the migration pass runs over (at most `tenants`: the converged world's schemas). */
  schemas: number;
  /** Agent runs started in the launch-spreading scenario. */
  launches: number;
  /** OPENCLAW_LAUNCHES_PER_SECOND for the launch scenario (undefined: the controller's default). */
  launchRate?: number;
  /** OPENCLAW_CONCURRENCY (undefined: the controller's default). */
  concurrency?: number;
  /** What the AWS double enforces, by `service:read|write` or `service:Operation`. */
  quotas: Record<string, Quota>;
  /** The controller's own client-side buckets (the AWS provider's defaults unless overridden). */
  clientLimits: Record<string, RateLimit>;
  scenarios: ScenarioName[];
  /** Run the naive per-tenant observation beside each pass (ratios need it). */
  baseline: boolean;
  logLevel: string;
  /** Write the JSON lines here as well as to stdout. */
  out?: string;
  /** Pooled tenants in the pool-* scenarios. */
  poolTenants: number;
  /** Pooled runs queued in pool-runs (each worker count drains its own). */
  poolRuns: number;
  /** Worker counts pool-runs measures, one after the other. */
  poolWorkers: number[];
  /** Runs each worker count drains of the poolRuns queued (all of them unless smaller): the rest keeps the queue deep. */
  poolSample: number;
  /**
   * How long the pooled controller idles before its no-op pass, as the loop idles between resyncs (5 minutes
   * by default): V8 gives back the pages the cold converge grew its heap to only once the process is idle.
   */
  poolIdleMs: number;
  /**
   * Where the AWS double runs: in this process (`inline`) or a child process served over HTTP (`process`,
   * so that this process's memory and CPU are the controller's alone). Undefined: `process` for the
   * pooled scenarios, `inline` for the others (launch-spreading reads the double's call log).
   */
  awsDouble?: AwsDoubleWhere;
}

const HELP = `npm run bench -- [flags]       (each flag also reads from the environment variable shown)

  --tenants N            BENCH_TENANTS          tenants converged, resynced and changed (1000)
  --latency-ms MS        BENCH_LATENCY_MS       latency of every AWS call, really slept (20)
  --scale-tenants N      BENCH_SCALE_TENANTS    manifests validated / tenants held in memory / files polled (10000)
  --schemas N            BENCH_SCHEMAS          schemas in the migration pass, at most --tenants (1000)
  --launches N           BENCH_LAUNCHES         agent runs due in the same minute (1000)
  --launch-rate N        BENCH_LAUNCH_RATE      OPENCLAW_LAUNCHES_PER_SECOND for that scenario (controller default)
  --concurrency N        BENCH_CONCURRENCY      OPENCLAW_CONCURRENCY (controller default)
  --aws K=R[/B],...      BENCH_AWS_QUOTAS       what the AWS double enforces, e.g. iam:write=20/40
  --client K=R[/B],...   BENCH_CLIENT_LIMITS    the controller's buckets, e.g. iam:write=20 (AWS provider defaults)
  --scenarios A,B        BENCH_SCENARIOS        subset of: ${SCENARIOS.join(', ')} (all by default),
                                                and, only when named: ${[...POOL_SCENARIOS, ...SOURCE_SCENARIOS].join(', ')}
  --pool-tenants N       BENCH_POOL_TENANTS     pooled tenants in the pool-* scenarios (100000)
  --pool-runs N          BENCH_POOL_RUNS        pooled runs queued in pool-runs (--pool-tenants)
  --pool-workers A,B     BENCH_POOL_WORKERS     worker counts pool-runs measures (1,2,4,8)
  --pool-sample N        BENCH_POOL_SAMPLE      runs each worker count drains, of those queued (all)
  --pool-idle-ms MS      BENCH_POOL_IDLE_MS     idle time before the pooled no-op pass, as between resyncs (30000)
  --aws-double W         BENCH_AWS_DOUBLE       where the AWS double runs: process (a child process reached over
                                                HTTP: this process's RSS is the controller's) or inline (this
                                                process); process for the pool-* scenarios, inline for the others
  --no-baseline          BENCH_BASELINE=0       skip the naive per-tenant observation (no ratios)
  --log-level L          BENCH_LOG_LEVEL        controller log level, to stderr (warn)
  --out FILE             BENCH_OUT              also write the JSON lines to FILE
  DATABASE_URL                                  use this server instead of an embedded PostgreSQL
`;

export function parseOptions(argv: string[], env: Record<string, string | undefined> = process.env): BenchOptions | 'help' {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--no-baseline') { flags.set('baseline', '0'); continue; }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${match[1]} needs a value`);
    flags.set(match[1], value);
  }
  const known = new Set(['tenants', 'latency-ms', 'scale-tenants', 'schemas', 'launches', 'launch-rate', 'concurrency', 'aws', 'client', 'scenarios', 'baseline', 'log-level', 'out', 'pool-tenants', 'pool-runs', 'pool-workers', 'pool-sample', 'pool-idle-ms', 'aws-double']);
  for (const key of flags.keys()) if (!known.has(key)) throw new Error(`unknown flag --${key} (see --help)`);
  const read = (flag: string, variable: string) => flags.get(flag) ?? env[variable];
  const int = (flag: string, variable: string, fallback: number | undefined, min = 0) => {
    const text = read(flag, variable);
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${flag}: ${JSON.stringify(text)} is not a whole number ≥ ${min}`);
    return value;
  };
  const tenants = int('tenants', 'BENCH_TENANTS', 1000, 1)!;
  const scenarios = (read('scenarios', 'BENCH_SCENARIOS') ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scenarios) if (!ALL_SCENARIOS.includes(s)) throw new Error(`--scenarios: unknown scenario ${JSON.stringify(s)} (allowed: ${ALL_SCENARIOS.join(', ')})`);
  const poolTenants = int('pool-tenants', 'BENCH_POOL_TENANTS', 100_000, 1)!;
  const workers = (read('pool-workers', 'BENCH_POOL_WORKERS') ?? '1,2,4,8').split(',').map((w) => w.trim());
  for (const w of workers) if (!/^[1-9]\d*$/.test(w)) throw new Error(`--pool-workers: ${JSON.stringify(w)} is not a whole number ≥ 1 (allowed: a list such as 1,2,4,8)`);
  const where = read('aws-double', 'BENCH_AWS_DOUBLE') || undefined;
  const awsDouble = AWS_DOUBLE_WHERE.find((w) => w === where);
  if (where !== undefined && !awsDouble) throw new Error(`--aws-double: ${JSON.stringify(where)} is not allowed (allowed: ${AWS_DOUBLE_WHERE.join(', ')})`);
  if (awsDouble === 'process' && scenarios.includes('launch-spreading')) throw new Error('--aws-double process: launch-spreading reads the AWS double\'s call log in this process (run it with --aws-double inline, or leave it out of --scenarios)');
  return {
    tenants,
    latencyMs: int('latency-ms', 'BENCH_LATENCY_MS', 20)!,
    scaleTenants: int('scale-tenants', 'BENCH_SCALE_TENANTS', 10_000, 1)!,
    schemas: Math.min(tenants, int('schemas', 'BENCH_SCHEMAS', 1000, 1)!),
    launches: int('launches', 'BENCH_LAUNCHES', 1000, 1)!,
    launchRate: int('launch-rate', 'BENCH_LAUNCH_RATE', undefined, 1),
    concurrency: int('concurrency', 'BENCH_CONCURRENCY', undefined, 1),
    quotas: { ...AWS_QUOTAS, ...parseLimits(read('aws', 'BENCH_AWS_QUOTAS') ?? '') },
    clientLimits: { ...DEFAULT_RATE_LIMITS, ...parseLimits(read('client', 'BENCH_CLIENT_LIMITS') ?? '') },
    scenarios: scenarios as ScenarioName[],
    baseline: !['0', 'false', 'no'].includes((read('baseline', 'BENCH_BASELINE') ?? '1').toLowerCase()),
    logLevel: read('log-level', 'BENCH_LOG_LEVEL') ?? 'warn',
    out: read('out', 'BENCH_OUT'),
    poolTenants,
    poolRuns: int('pool-runs', 'BENCH_POOL_RUNS', poolTenants, 1)!,
    poolWorkers: workers.map(Number),
    poolSample: int('pool-sample', 'BENCH_POOL_SAMPLE', Number.MAX_SAFE_INTEGER, 1)!,
    poolIdleMs: int('pool-idle-ms', 'BENCH_POOL_IDLE_MS', 30_000)!,
    ...(awsDouble ? { awsDouble } : {}),
  };
}

export function helpText(): string {
  return HELP;
}
