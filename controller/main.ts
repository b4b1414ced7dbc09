/**
 * Composition root: config → logger → database → platform (provider, resource modules, launcher:
 * compose/) → reconciler → loop. Tests build the same graph with injected parts.
 */
import { hostname } from 'node:os';
import type { DestinationStream, Logger } from 'pino';
import { ConfigError } from '../contract/errors.js';
import { workLoop } from './pool/part.js';
import { PoolQueue } from './pool/queue.js';
import { PoolWorker } from './pool/worker.js';
import { loadConfig, type Config } from './config.js';
import { connectDatabase, type DatabaseHandle } from './db/connect.js';
import { migrateControllerSchema, migratePlatform, readMigrations } from './db/migrate.js';
import { readPasswordFrom, type PasswordSource } from '../contract/db-credentials.js';
import { createPool, createStatementCounter, type Pool, type StatementCounter } from './db/pool.js';
import { createPools, type PoolSet } from './db/pools.js';
import { integrationLock } from './resources/secrets/vault.js';
import { createIntegrations } from './integrations/index.js';
import type { TokenKeeper } from './integrations/keeper.js';
import type { DesiredContext } from './desired/types.js';
import { CONFIRMED_DELETION } from './engine/confirmation.js';
import { ControllerLoop } from './engine/controller.js';
import { launchesReading } from './scheduler/launch-forecast.js';
import { Reconciler } from './engine/reconciler.js';
import type { ResourceModule } from './engine/types.js';
import { createLogger } from '../contract/logger.js';
import type { AwsClients } from './providers/aws/clients.js';
import type { Provider } from './providers/types.js';
import type { LauncherFactory } from './scheduler/launcher.js';
import type { Platform } from './compose/platform.js';
import { postgresModule } from './resources/postgres/index.js';
import { createSource } from './source/index.js';
import type { ManifestSource } from './source/types.js';
import { FINGERPRINTS_MIGRATION, StatusStore } from './status/store.js';
import { AbsentStatusStore } from './status/absent-store.js';
import { ISOLATION_POLICY_STATE, readSchemaState, type SchemaState } from './db/schema-state.js';
import { ISOLATION_EXPRESSION } from './resources/postgres/model.js';
import { canonicalIsolationPolicy } from './resources/postgres/observe.js';
import { realSleep } from '../contract/backoff.js';

export interface OpenOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  log?: Logger;
  logDestination?: DestinationStream;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Tenants a pass plans and reads at a time (default 1,000): tests page a small fleet. */
  pageSize?: number;
  provider?: Provider;
  /** Called with AWS SDK clients once their calls are counted (tests attach the AWS double here). */
  onClients?: (clients: Partial<AwsClients>) => void;
  source?: ManifestSource;
  counter?: StatementCounter;
  /**
   * `tenantctl plan`: every transaction read-only, no migration, no startup write, the policy text
   * as recorded; `schema` in the context says what that leaves unseen.
   */
  readOnly?: boolean;
  /** Test seam: runs before every statement; a throw fails that statement. */
  beforeQuery?: (text: string) => void;
}

export interface ControllerContext {
  config: Readonly<Config>;
  log: Logger;
  /** The reconciler's pool (pools.reconciler): passes and the commands that run them. */
  pool: Pool;
  /** Every pool, one per kind of work (db/pools.ts): the scheduler, lease and status API use their own. */
  pools: PoolSet;
  database: DatabaseHandle;
  store: StatusStore;
  counter: StatementCounter;
  provider: Provider;
  modules: ResourceModule[];
  /** A new launcher of agent runs for the configured provider (the scheduler's). */
  launcher: LauncherFactory;
  /** Runs pooled jobs in this process (the local provider's pooled workers). */
  poolExecutor?: Platform['poolExecutor'];
  reconciler: Reconciler;
  source: ManifestSource;
  loop: ControllerLoop;
  desiredContext: DesiredContext;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Read-only contexts: the migrations applied to this database, and what the plan cannot see because of it. */
  schema?: SchemaState;
  close(): Promise<void>;
}

export interface StoreContext {
  config: Readonly<Config>;
  log: Logger;
  pool: Pool;
  store: StatusStore;
  now: () => number;
  close(): Promise<void>;
}

/**
 * With OPENCLAW_DB_SECRET_ARN, every pool's new connections take the password from that secret, read
 * again after the server refuses it (a rotation); without it, the URL's password or PGPASSWORD.
 */
export async function databasePassword(config: Readonly<Config>, options: OpenOptions, log: Logger): Promise<PasswordSource | undefined> {
  const secretArn = config.databaseSecretArn;
  if (!secretArn) return undefined;
  const { secretPasswordReader, secretsClientFor } = await import('./providers/aws/db-password.js');
  const client = secretsClientFor(config, secretArn);
  options.onClients?.({ secrets: client });
  return readPasswordFrom(secretPasswordReader(client, secretArn), { now: options.now, log: log.child({ component: 'database' }) });
}

/** The database and status store only: for commands that read status from any machine. */
export async function openStore(options: OpenOptions = {}): Promise<StoreContext> {
  const config = loadConfig(options.env ?? process.env, options.cwd ?? process.cwd());
  const log = options.log ?? createLogger({ level: config.logLevel, destination: options.logDestination });
  const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  const password = await databasePassword(config, options, log);
  const pool = createPool(database.url, { log, counter: options.counter, applicationName: 'tenantctl', password, reconnect: { sleep: options.sleep } });
  await migrateControllerSchema(pool, log);
  return {
    config, log, pool, store: new StatusStore(pool), now: options.now ?? Date.now,
    async close() {
      await pool.end();
      await database.close();
    },
  };
}

export async function openController(options: OpenOptions = {}): Promise<ControllerContext> {
  const config = loadConfig(options.env ?? process.env, options.cwd ?? process.cwd());
  const log = options.log ?? createLogger({ level: config.logLevel, destination: options.logDestination });
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const counter = options.counter ?? createStatementCounter();
  const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  const password = await databasePassword(config, options, log);
  const pools = createPools(database.url, {
    log, counter, concurrency: config.engine.concurrency, beforeQuery: options.beforeQuery, password, reconnect: { sleep: options.sleep },
    readOnly: options.readOnly,
  });
  const pool = pools.reconciler;
  const closers: (() => Promise<void>)[] = [() => pools.end(), () => database.close()];
  try {
    const schema = options.readOnly ? await readSchemaState(pool, ISOLATION_EXPRESSION) : undefined;
    if (!schema) {
      await migrateControllerSchema(pool, log);
      await migratePlatform(pool, log);
    }
    const sleep = options.sleep ?? realSleep;
    const { createPlatform } = await import('./compose/platform.js');
    // Deleting an integration's secret first revokes its grant, as `tenantctl disconnect` does; the keeper needs the store, made below.
    let keeper: TokenKeeper | undefined;
    const platform = await createPlatform(config, {
      log, now, random, sleep, databaseUrl: database.url, provider: options.provider, onClients: options.onClients, integrationLock: integrationLock(pool),
      revokeGrant: (tenant, integration) => (keeper ??= createIntegrations({ config, pool, provider, store, log, now }).keeper).revokeBeforeDeletion(tenant, integration),
    });
    const { provider, launcher, poolExecutor } = platform;
    closers.unshift(() => provider.close());
    const identity = await provider.identity();
    const desiredContext: DesiredContext = {
      ...identity,
      bucket: config.aws.tenantBucket,
      iamPath: config.aws.iamPath,
      secretsPrefix: config.aws.secretsPrefix,
      permissionsBoundaryArn: config.aws.permissionsBoundaryArn,
      // Locally the outbox needs no permission; with SES, tenant roles send as the configured address only.
      ...(config.provider === 'aws' && config.email.fromAddress ? { email: { fromAddress: config.email.fromAddress, configurationSet: config.email.configurationSet } } : {}),
    };
    const modules: ResourceModule[] = [
      ...platform.modules,
      postgresModule({
        pool, credentials: provider.credentials, migrations: await readMigrations('tenant'), sessionGraceMs: config.safety.rotationGraceMs,
        ...(schema ? { readOnly: { ledger: schema.controller.applied > 0, platform: schema.platform.applied > 0, canonicalPolicy: schema.canonicalPolicy } } : {}),
      }),
    ];
    const store = schema && schema.controller.applied === 0 ? new AbsentStatusStore(pool) : new StatusStore(pool, { fingerprints: !schema || schema.controller.applied >= FINGERPRINTS_MIGRATION });
    const reconciler = new Reconciler({
      modules, store, log, desiredContext, now, random,
      providerName: provider.name,
      concurrency: config.engine.concurrency,
      backoff: { baseMs: config.engine.backoffBaseMs, maxMs: config.engine.backoffMaxMs },
      maxDeleteFraction: config.safety.maxDeleteFraction,
      purgeGraceMs: config.safety.purgeGraceMs,
      eventRetention: config.events.retention,
      pageSize: options.pageSize,
      quotas: async ({ desired, remembered }) => [...(await provider.accountQuotas?.() ?? []), launchesReading(desired, remembered)],
    });
    const source = options.source ?? createSource(config, { log: log.child({ component: 'source' }), cwd: options.cwd ?? process.cwd() });
    if (source.close) closers.unshift(() => source.close!());
    const loop = new ControllerLoop({
      source, reconciler, store, log, desiredContext, now,
      resyncIntervalMs: config.engine.resyncIntervalMs,
      sourceIntervalMs: config.git.url ? config.git.intervalMs : 2_000,
      confirmedRevision: async () => (await store.getState<{ revision: string }>(CONFIRMED_DELETION))?.revision,
    });
    if (!schema) {
      await store.setState('provider', { name: provider.name, ...identity });
      // What a read-only plan compares the isolation policies with (it cannot deparse one itself).
      await store.setState(ISOLATION_POLICY_STATE, { expression: ISOLATION_EXPRESSION, deparsed: await canonicalIsolationPolicy(pool) });
    }
    return {
      config, log, pool, pools, database, store, counter, provider, modules, launcher, poolExecutor, reconciler, source, loop, desiredContext, now, schema, sleep,
      async close() {
        for (const close of closers) await close().catch((error) => log.warn({ err: error }, 'could not close cleanly'));
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    throw error;
  }
}

/** A pooled worker process (`tenantctl pool-worker`): started, it runs until `stop()`. */
export interface PoolWorkerProcess {
  log: Logger;
  /** Claims and runs jobs until stopped; resolves once the runs in progress have ended and everything is closed. */
  stop(): Promise<void>;
}

/**
 * The composition root of a pooled worker on AWS: config → logger → the worker's AWS side (its counted
 * STS and Secrets Manager clients, the vend, the executor) → its database login → the worker loop.
 * No migration and no write outside the queue functions: the worker's login may do nothing else.
 */
export async function startPoolWorker(options: OpenOptions = {}): Promise<PoolWorkerProcess> {
  const config = loadConfig(options.env ?? process.env, options.cwd ?? process.cwd());
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL: required by the pooled workers (allowed: the database URL with the user openclaw_pool_worker)');
  if (config.pool.workers === 0) throw new ConfigError('OPENCLAW_POOL_WORKERS: at least 1 for the pooled workers (allowed: 1-64 runs at once per worker task)');
  const log = options.log ?? createLogger({ level: config.logLevel, destination: options.logDestination });
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const { createPoolWorkerPlatform } = await import('./compose/pool-worker.js');
  const platform = createPoolWorkerPlatform(config, { log, now, sleep, random: options.random ?? Math.random, databaseUrl: config.databaseUrl, onClients: options.onClients });
  const pool = createPool(config.databaseUrl, { log, applicationName: 'openclaw-pool-worker', password: await databasePassword(config, options, log), reconnect: { sleep } });
  try {
    const executor = platform.executor(await platform.poolLogin());
    const name = `${hostname()}-${process.pid}`;
    const workerLog = log.child({ component: 'pool-worker', worker: name });
    const worker = new PoolWorker({ name, queue: new PoolQueue(pool, now), pool, executor, vend: platform.vend, log: workerLog, random: options.random });
    let stopped = false;
    const loop = workLoop(worker, config.pool.workers, () => stopped, sleep, workerLog);
    if (process.getuid?.() !== 0) workerLog.warn('not running as root: runs share this worker\'s uid, so a run could read the worker\'s environment and other runs\'');
    workerLog.info({ concurrency: config.pool.workers }, 'pooled worker running');
    return {
      log,
      async stop() {
        stopped = true;
        await loop;
        await executor.close();
        await platform.close();
        await pool.end();
      },
    };
  } catch (error) {
    await platform.close();
    await pool.end();
    throw error;
  }
}
