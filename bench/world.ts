/**
 * One benchmark world: a fresh database on the PostgreSQL server (embedded unless DATABASE_URL is
 * set), an AWS double with real latency and the account's quotas, N manifests in a directory, and
 * controllers opened on it exactly as `tenantctl run` opens one, with the AWS provider.
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
import { createAwsDouble, type AwsDouble } from '../test/aws-double/index.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/postgres.js';
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
  double: AwsDouble;
  quotas: AccountQuotas;
  db: TestDatabase;
  dir: string;
  env: Record<string, string>;
  log: Logger;
  options: BenchOptions;
  open(): Promise<BenchController>;
  close(): Promise<void>;
}

export async function createWorld(options: BenchOptions, tenants: number, prefix = 'bench', isolation: BenchIsolation = 'silo'): Promise<World> {
  const db = await createTestDatabase('bench');
  const root = mkdtempSync(join(tmpdir(), 'openclaw-bench-'));
  const dir = join(root, 'tenants');
  writeManifests(dir, tenants, prefix, isolation);
  const double = createAwsDouble({ latencyMs: options.latencyMs, iamMaxRoles: Math.max(1000, tenants + 10) });
  double.state.s3.createBucket(BUCKET);
  double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
  double.state.ecs.createCluster(CLUSTER);
  for (const agent of ['butler', 'scout', 'writer']) double.state.ecs.registerTaskDefinition(`openclaw-agent-${agent}`, { containerNames: ['agent'] });
  const quotas = new AccountQuotas({ quotas: options.quotas, latencyMs: options.latencyMs });
  const log = createLogger({ level: options.logLevel, destination: process.stderr });
  const env: Record<string, string> = {
    OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'us-east-1', OPENCLAW_TENANT_BUCKET: BUCKET, OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY,
    DATABASE_URL: db.url, OPENCLAW_TENANTS_DIR: dir, OPENCLAW_DATA_DIR: join(root, 'data'), OPENCLAW_LOG_LEVEL: options.logLevel,
    OPENCLAW_ECS_CLUSTER: CLUSTER, OPENCLAW_SUBNETS: 'subnet-0123abcd', OPENCLAW_SECURITY_GROUPS: 'sg-0123abcd',
    ...(options.concurrency ? { OPENCLAW_CONCURRENCY: String(options.concurrency) } : {}),
    ...(options.launchRate ? { OPENCLAW_LAUNCHES_PER_SECOND: String(options.launchRate) } : {}),
  };
  const opened: BenchController[] = [];
  return {
    double, quotas, db, dir, env, log, options,
    async open() {
      const config = loadConfig(env, root);
      let clients: AwsClients | undefined;
      const provider = await createAwsProvider(config, {
        log: log.child({ component: 'provider' }),
        rateLimits: options.clientLimits,
        onClients: (built) => {
          quotas.attach(built);
          double.attachAll(built);
          clients = built;
        },
      });
      const counter = createStatementCounter();
      const statements: StatementStats = { catalog: 0, bookkeeping: 0, other: 0 };
      const ctx = await openController({ env, cwd: root, log, provider, counter, beforeQuery: (text) => classifyStatement(text, statements) });
      const controller = { ctx, clients: clients!, counter, statements };
      opened.push(controller);
      return controller;
    },
    async close() {
      for (const c of opened.splice(0)) await c.ctx.close();
      await db.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
