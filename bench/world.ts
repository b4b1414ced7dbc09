/**
 * One benchmark world: a fresh database on the PostgreSQL server (embedded unless DATABASE_URL is
 * set), an AWS double with real latency and the account's quotas, N manifests in a directory, and
 * controllers opened on it exactly as `tenantctl run` opens one, with the AWS provider. The double is
 * either in this process, the SDK clients attached to it (`inline`), or in a child process reached over
 * HTTP through AWS_ENDPOINT_URL (`process`, aws-double-process.ts), so that this process's memory and
 * CPU are the controllers' alone. The account's quotas are client-side middleware either way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../controller/config.js';
import { createStatementCounter, type StatementCounter } from '../controller/db/pool.js';
import { createLogger, type Logger } from '../contract/logger.js';
import { openController, type ControllerContext } from '../controller/main.js';
import type { AwsClients } from '../controller/providers/aws/clients.js';
import { createAwsProvider } from '../controller/providers/aws/index.js';
import type { AwsDouble } from '../test/aws-double/index.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/postgres.js';
import { inlineDoubleHost, type AwsDoubleHost, type AwsDoubleWhere, type DoubleSetup } from './aws-double-host.js';
import { startAwsDoubleProcess } from './aws-double-process.js';
import { AccountQuotas } from './limits.js';
import { writeManifests, type BenchIsolation } from './manifests.js';
import type { BenchOptions } from './options.js';

export const BUCKET = 'openclaw-bench-tenants';
export const BOUNDARY = 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary';
export const CLUSTER = 'openclaw-bench';

/** Statements by what they touch: catalog and migration-ledger reads, the controller's own bookkeeping, the rest. */
export interface StatementStats {
  catalog: number;
  bookkeeping: number;
  other: number;
}

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release|reset|set |select set_config)/i;
const CATALOG = /^\s*(select|with)\b[\s\S]*\b(pg_roles|pg_namespace|pg_database|pg_class|pg_policies|pg_auth_members|tenant_migrations)\b/i;

export function classifyStatement(text: string, stats: StatementStats): void {
  if (TRANSACTION_CONTROL.test(text)) return;
  if (CATALOG.test(text)) stats.catalog++;
  else if (/\bopenclaw\./.test(text)) stats.bookkeeping++;
  else stats.other++;
}

export interface BenchController {
  ctx: ControllerContext;
  clients: AwsClients;
  counter: StatementCounter;
  statements: StatementStats;
}

export interface World {
  /** The AWS double, in this process or in a child process. */
  aws: AwsDoubleHost;
  quotas: AccountQuotas;
  db: TestDatabase;
  /** The world's folder: its manifests (`dir`) and the controllers' data. */
  root: string;
  dir: string;
  env: Record<string, string>;
  log: Logger;
  options: BenchOptions;
  open(): Promise<BenchController>;
  close(): Promise<void>;
}

/** The double of a world whose double is in this process (scenarios that read its call log); a clear error otherwise. */
export function inlineDouble(world: World, scenario: string): AwsDouble {
  if (!world.aws.inline) throw new Error(`${scenario} reads the AWS double's call log, so it needs the double in this process (--aws-double inline)`);
  return world.aws.inline;
}

/** The keys the SDK clients sign with over HTTP (the double verifies no signature), set for the world's lifetime. */
const BENCH_KEYS: Record<string, string | undefined> = { AWS_ACCESS_KEY_ID: 'AKIDBENCHCONTROLLER1', AWS_SECRET_ACCESS_KEY: 'bench-controller-secret', AWS_SESSION_TOKEN: undefined };

function useBenchKeys(): () => void {
  const saved = Object.fromEntries(Object.keys(BENCH_KEYS).map((k) => [k, process.env[k]]));
  const put = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  };
  put(BENCH_KEYS);
  return () => put(saved);
}

/**
 * A controller opened on a world's database, directory and AWS double as `tenantctl run` opens one, with
 * the AWS provider, its SDK clients under the account's quotas (and attached to an in-process double).
 * `root` holds the world's directory and data; `env` is its environment (the world's, or a child process's).
 */
export async function openBenchController(world: {
  env: Record<string, string>; root: string; log: Logger; options: Pick<BenchOptions, 'clientLimits'>; quotas: AccountQuotas; attach?: (clients: AwsClients) => void;
}): Promise<BenchController> {
  const { env, root, log, quotas } = world;
  const config = loadConfig(env, root);
  let clients: AwsClients | undefined;
  const provider = await createAwsProvider(config, {
    log: log.child({ component: 'provider' }),
    rateLimits: world.options.clientLimits,
    onClients: (built) => {
      quotas.attach(built);
      world.attach?.(built);
      clients = built;
    },
  });
  if (!clients) throw new Error('the AWS provider built no SDK clients');
  const counter = createStatementCounter();
  const statements: StatementStats = { catalog: 0, bookkeeping: 0, other: 0 };
  const ctx = await openController({ env, cwd: root, log, provider, counter, beforeQuery: (text) => classifyStatement(text, statements) });
  return { ctx, clients, counter, statements };
}

export async function createWorld(options: BenchOptions, tenants: number, prefix = 'bench', isolation: BenchIsolation = 'silo', where: AwsDoubleWhere = 'inline'): Promise<World> {
  const log = createLogger({ level: options.logLevel, destination: process.stderr });
  const setup: DoubleSetup = {
    latencyMs: options.latencyMs, iamMaxRoles: Math.max(1000, tenants + 10), bucket: BUCKET, boundaryPolicyArn: BOUNDARY, cluster: CLUSTER,
    taskDefinitions: ['butler', 'scout', 'writer'].map((agent) => `openclaw-agent-${agent}`),
  };
  const aws = where === 'process' ? await startAwsDoubleProcess(setup, log.child({ component: 'aws-double' })) : inlineDoubleHost(setup);
  const restoreKeys = where === 'process' ? useBenchKeys() : () => {};
  let db: TestDatabase;
  try {
    db = await createTestDatabase('bench');
  } catch (error) {
    restoreKeys();
    await aws.close();
    throw error;
  }
  const root = mkdtempSync(join(tmpdir(), 'openclaw-bench-'));
  const dir = join(root, 'tenants');
  writeManifests(dir, tenants, prefix, isolation);
  const quotas = new AccountQuotas({ quotas: options.quotas, latencyMs: options.latencyMs });
  const env: Record<string, string> = {
    OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'us-east-1', OPENCLAW_TENANT_BUCKET: BUCKET, OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY,
    DATABASE_URL: db.url, OPENCLAW_TENANTS_DIR: dir, OPENCLAW_DATA_DIR: join(root, 'data'), OPENCLAW_LOG_LEVEL: options.logLevel,
    OPENCLAW_ECS_CLUSTER: CLUSTER, OPENCLAW_SUBNETS: 'subnet-0123abcd', OPENCLAW_SECURITY_GROUPS: 'sg-0123abcd',
    ...(options.concurrency ? { OPENCLAW_CONCURRENCY: String(options.concurrency) } : {}),
    ...(options.launchRate ? { OPENCLAW_LAUNCHES_PER_SECOND: String(options.launchRate) } : {}),
    ...aws.env,
  };
  const opened: BenchController[] = [];
  return {
    aws, quotas, db, root, dir, env, log, options,
    async open() {
      const controller = await openBenchController({ env, root, log, options, quotas, attach: (built) => aws.attach(built) });
      opened.push(controller);
      return controller;
    },
    async close() {
      try {
        for (const c of opened.splice(0)) await c.ctx.close();
        await db.drop();
      } finally {
        rmSync(root, { recursive: true, force: true });
        restoreKeys();
        await aws.close();
      }
    },
  };
}
