/**
 * Shared setup of the scheduler's integration tests: a real PostgreSQL database with the controller's
 * schema, the AWS double (ECS) on a manual clock, and "controllers": scheduler services built the
 * way `tenantctl run` builds them, around a minimal context.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../controller/config.js';
import { migrateControllerSchema } from '../../controller/db/migrate.js';
import { createPool, type Pool } from '../../controller/db/pool.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import type { DesiredContext, DesiredTenant } from '../../controller/desired/types.js';
import { ecsLauncherFor } from '../../controller/compose/launchers.js';
import { createLogger } from '../../contract/logger.js';
import type { AgentSpec, TenantManifest } from '../../controller/manifests/types.js';
import type { SecretRecord } from '../../controller/providers/types.js';
import type { RunRecord } from '../../controller/scheduler/history.js';
import { createSchedulerService, type SchedulerContext, type SchedulerSeams, type SchedulerService } from '../../controller/scheduler/service.js';
import { createAwsDouble, createDoubleClients, createManualClock, seededRandom, type AwsDouble, type ManualClock } from '../aws-double/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { perTestCopy } from '../helpers/per-test.js';

export const CLUSTER = 'openclaw';
export const DESIRED_CONTEXT: DesiredContext = {
  accountId: '123456789012', partition: 'aws', region: 'us-east-1', bucket: 'openclaw-tenants', iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw',
};

export interface TenantOptions {
  tier?: TenantManifest['spec']['tier'];
  /** Silo unless asked: these tests watch the provider's launcher. */
  isolation?: 'silo' | 'pool';
  suspended?: boolean;
  agents?: Partial<AgentSpec>[];
  integrations?: TenantManifest['spec']['integrations'];
}

/** Desired state of a tenant, derived by the real pure function from a manifest. */
export function tenant(name: string, options: TenantOptions = {}): DesiredTenant {
  return desiredTenant(tenantManifest(name, options), DESIRED_CONTEXT);
}

/** The manifest `tenant` derives from (silo unless asked; `isolation: undefined` names no model). */
export function tenantManifest(name: string, options: TenantOptions = {}): TenantManifest {
  return {
    apiVersion: 'openclaw.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: {
      displayName: name, contact: { email: `ops@${name}.example` }, tier: options.tier ?? 'starter', isolation: 'isolation' in options ? options.isolation : 'silo', suspended: options.suspended ?? false,
      deletionPolicy: 'Retain', integrations: options.integrations ?? [], storage: { archiveAfterDays: 30, expireAfterDays: 365 }, costAllocationTags: {},
      agents: (options.agents ?? [{}]).map((a) => ({
        name: 'butler', enabled: true, schedule: '*/5 * * * *', timezone: 'UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300, ...a,
      })),
    },
  };
}

export interface ReplicaOptions {
  holder?: string;
  leaseMs?: string;
  launchesPerSecond?: number;
}

export interface Harness {
  clock: ManualClock;
  double: AwsDouble;
  pool: Pool;
  logLines: string[];
  /** What the provider's secret listing returns (names and ARNs; values never leave the provider). */
  secrets: SecretRecord[];
  /** A controller replica: a scheduler service on the shared database, clock and ECS. */
  controller(options?: ReplicaOptions): SchedulerService;
  /** The minimal controller context a replica is built from, and the seams that attach it to the double. */
  context(options?: ReplicaOptions): { ctx: SchedulerContext; seams: SchedulerSeams };
  /** Advances the clock by `ms` and lets each replica take one step: lease, tick, launches, task polling. */
  step(replicas: SchedulerService[], ms: number): Promise<void>;
  runs(filter?: string, params?: unknown[]): Promise<RunRecord[]>;
  close(): Promise<void>;
}

/** A database with the controller's schema, the start of every harness (a template for `harnessPerTest`). */
export async function createSchedulerDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('scheduler');
  const pool = createPool(db.url, { max: 1 });
  try {
    await migrateControllerSchema(pool);
  } finally {
    await pool.end();
  }
  return db;
}

/**
 * A harness per test, each on its own copy of one database with the controller's schema: a test's
 * clock, runs and ECS calls are its own. `open(start)` gives the test its harness, closed after it.
 */
export function harnessPerTest(): (start?: number) => Promise<Harness> {
  return perTestCopy(createSchedulerDatabase, (database, start?: number) => createHarness(start, { database }));
}

/** A harness starting at `start`, on `database` when given (with the controller's schema, dropped on close), else a new one. */
export async function createHarness(start = Date.UTC(2025, 0, 6, 0, 0, 0), options: { database?: TestDatabase } = {}): Promise<Harness> {
  const db: TestDatabase = options.database ?? (await createSchedulerDatabase());
  const logLines: string[] = [];
  const log = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _e, done) { logLines.push(String(chunk)); done(); } }) });
  const pool = createPool(db.url, { log, max: 20 });
  const clock = createManualClock(start);
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(7) });
  double.state.ecs.createCluster(CLUSTER);
  for (const agent of ['butler', 'scout', 'writer']) double.state.ecs.registerTaskDefinition(`openclaw-agent-${agent}`, { containerNames: ['agent'] });
  const clients = createDoubleClients(double);
  const provider: SchedulerContext['provider'] = {
    secrets: { list: async (prefix: string) => secrets.filter((r) => r.name.startsWith(prefix)) },
    secretArn: (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`,
  };
  const services: SchedulerService[] = [];
  const secrets: SecretRecord[] = [];

  const harness: Harness = {
    clock, double, pool, logLines, secrets,
    context(options = {}) {
      const config = loadConfig({
        DATABASE_URL: db.url, OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'us-east-1', OPENCLAW_TENANT_BUCKET: DESIRED_CONTEXT.bucket,
        OPENCLAW_PERMISSIONS_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary',
        OPENCLAW_ECS_CLUSTER: CLUSTER, OPENCLAW_SUBNETS: 'subnet-0123abcd', OPENCLAW_SECURITY_GROUPS: 'sg-0123abcd',
        OPENCLAW_LEADER_LEASE: options.leaseMs ?? '30s', OPENCLAW_LAUNCHES_PER_SECOND: String(options.launchesPerSecond ?? 20),
      });
      const timing = { now: clock.now, sleep: clock.sleep, random: seededRandom(11) };
      const ctx: SchedulerContext = {
        config, log, pool, pools: { scheduler: pool, lease: pool }, provider, desiredContext: DESIRED_CONTEXT, now: clock.now,
        loop: { onPass() {}, appliedSnapshot: undefined },
        launcher: () => ecsLauncherFor(config, clients.ecs, timing, log),
      };
      return { ctx, seams: { holder: options.holder, random: seededRandom(13) } };
    },
    controller(options = {}) {
      const { ctx, seams } = harness.context(options);
      const service = createSchedulerService(ctx, seams);
      if ('problem' in service) throw new Error(service.problem);
      services.push(service);
      return service;
    },
    async step(replicas, ms) {
      clock.advance(ms);
      for (const replica of replicas) {
        await replica.elector.step();
        await replica.scheduler.tick();
        await replica.dispatcher.idle();
        // As the service's poll loop does, a failed round (ECS unreachable) is tried again next time.
        if (replica.elector.leading) await replica.poller.poll().catch(() => undefined);
      }
    },
    async runs(filter = 'true', params = []) {
      const { rows } = await pool.query<RunRecord>(
        `SELECT id, tenant, agent, scheduled_at AS "scheduledAt", trigger, started_at AS "startedAt", finished_at AS "finishedAt", status,
                exit_code AS "exitCode", task_arn AS "taskArn", reason, duration_ms::float8 AS "durationMs"
           FROM openclaw.agent_runs WHERE ${filter} ORDER BY scheduled_at, tenant, agent, created_at`,
        params,
      );
      return rows;
    },
    async close() {
      for (const s of services) await s.dispatcher.idle();
      await pool.end();
      await db.drop();
    },
  };
  return harness;
}

