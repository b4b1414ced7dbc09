// Support for the tests of the AWS resource modules: example tenants, the AWS provider on the AWS
// double (through the real SDK clients) or the local provider on a temporary data directory, and the
// real engine (Reconciler, status store in PostgreSQL) over the modules built on either.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../controller/config.js';
import { cloudModules } from '../../controller/compose/modules.js';
import { integrationLock } from '../../controller/resources/secrets/vault.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import type { DesiredContext, DesiredTenant } from '../../controller/desired/types.js';
import { createHash } from 'node:crypto';
import { migrateControllerSchema } from '../../controller/db/migrate.js';
import { createPool, type Pool } from '../../controller/db/pool.js';
import type { ApplyError, PassReport } from '../../controller/engine/outcome.js';
import { Reconciler } from '../../controller/engine/reconciler.js';
import type { Change, ResourceModule } from '../../controller/engine/types.js';
import type { SourceSnapshot } from '../../controller/source/types.js';
import { StatusStore } from '../../controller/status/store.js';
import { afterAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { createLogger } from '../../contract/logger.js';
import { validateDirectory } from '../../controller/manifests/index.js';
import type { TenantManifest } from '../../controller/manifests/types.js';
import { createAwsProvider, type AwsProviderDeps } from '../../controller/providers/aws/index.js';
import { createLocalProvider } from '../../controller/providers/local/index.js';
import type { Provider } from '../../controller/providers/types.js';
import { createAwsDouble, createManualClock, seededRandom, type AwsDouble, type ManualClock } from '../aws-double/index.js';

export const BUCKET = 'openclaw-tenants';
export const BOUNDARY = 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary';
export const EXAMPLES_DIR = new URL('../../tenants/', import.meta.url).pathname;
export const log = createLogger({ level: 'silent' });

export async function exampleManifests(): Promise<TenantManifest[]> {
  const result = await validateDirectory(EXAMPLES_DIR);
  if (result.issues.length > 0) throw new Error(`example tenants are invalid: ${JSON.stringify(result.issues)}`);
  return result.tenants.map((t) => t.manifest);
}

export function withSpec(manifest: TenantManifest, spec: Partial<TenantManifest['spec']>, name = manifest.metadata.name): TenantManifest {
  return { ...manifest, metadata: { ...manifest.metadata, name }, spec: { ...manifest.spec, ...spec } };
}

export interface TestBed {
  provider: Provider;
  modules: ResourceModule[];
  /** The engine as `tenantctl apply` builds it, on these modules and a status store in PostgreSQL. */
  reconciler: Reconciler;
  context: DesiredContext;
  clock: ManualClock;
  /** Only with the AWS provider. */
  double?: AwsDouble;
  desired(manifests: TenantManifest[]): DesiredTenant[];
  /** Writing calls counted by the provider so far. */
  writes(): number;
  /** The tags of an object in the tenant bucket (read behind the provider's back). */
  objectTags(key: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

const READ = /:(Get|List|Describe|Head)/;

function env(dataDir: string, provider: 'aws' | 'local'): Readonly<Config> {
  return loadConfig({
    OPENCLAW_PROVIDER: provider, AWS_REGION: 'eu-west-1', OPENCLAW_TENANT_BUCKET: BUCKET,
    OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY, OPENCLAW_DATA_DIR: dataDir,
  }, dataDir);
}

/** The engine's retry backoff in these tests: a failed tenant is due again after this much of the clock. */
export const BACKOFF_MAX_MS = 1_000;
/** The purge grace period of a Delete offboarding in these tests. */
export const PURGE_GRACE_MS = 86_400_000;

let database: Promise<{ db: TestDatabase; pool: Pool }> | undefined;

/**
 * The controller's schema in one database per test file, emptied for each bed (the engine's records of
 * the previous bed's tenants would be offboarding candidates otherwise). Dropped when the file ends.
 */
afterAll(async () => {
  if (!database) return;
  const { db, pool } = await database;
  await pool.end();
  await db.drop();
});

async function freshStatusDatabase(): Promise<Pool> {
  database ??= (async () => {
    const db = await createTestDatabase('modules');
    const pool = createPool(db.url, { log, max: 4 });
    await migrateControllerSchema(pool, log);
    return { db, pool };
  })();
  const { pool } = await database;
  const { rows } = await pool.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'openclaw' AND tablename <> 'schema_migrations'`);
  await pool.query(`TRUNCATE ${rows.map((r) => `openclaw.${r.name}`).join(', ')} CASCADE`);
  return pool;
}

async function bed(
  provider: Provider, clock: ManualClock, config: Readonly<Config>, cleanup: () => void,
  objectTags: TestBed['objectTags'], double?: AwsDouble,
): Promise<TestBed> {
  const identity = await provider.identity();
  const context: DesiredContext = {
    ...identity, bucket: config.aws.tenantBucket, iamPath: config.aws.iamPath,
    secretsPrefix: config.aws.secretsPrefix, permissionsBoundaryArn: config.aws.permissionsBoundaryArn,
  };
  const pool = await freshStatusDatabase();
  const modules = cloudModules(provider, { secretsPrefix: config.aws.secretsPrefix, now: clock.now, secretRecoveryWindowDays: config.aws.secretRecoveryWindowDays, integrationLock: integrationLock(pool) });
  const reconciler = new Reconciler({
    modules, store: new StatusStore(pool), log, desiredContext: context, providerName: provider.name, now: clock.now, random: seededRandom(3),
    concurrency: 1, backoff: { baseMs: BACKOFF_MAX_MS, maxMs: BACKOFF_MAX_MS }, maxDeleteFraction: 1, purgeGraceMs: PURGE_GRACE_MS, eventRetention: 1_000,
  });
  return {
    provider, modules, reconciler, context, clock, double, objectTags,
    desired: (manifests) => manifests.map((m) => desiredTenant(m, context)),
    writes: () => Object.entries(provider.callCounts()).filter(([op]) => !READ.test(op)).reduce((n, [, c]) => n + c, 0),
    async close() {
      await provider.close();
      cleanup();
    },
  };
}

/** The AWS provider, its clients built from configuration, attached to a fresh double. */
export async function awsBed(options: { seed?: number; deps?: Partial<AwsProviderDeps> } = {}): Promise<TestBed> {
  const clock = createManualClock();
  const random = seededRandom(options.seed ?? 7);
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random, accountId: '123456789012', region: 'eu-west-1' });
  // Versioned, as the Terraform bucket is.
  double.state.s3.createBucket(BUCKET, { versioning: 'Enabled' });
  double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
  const dataDir = mkdtempSync(join(tmpdir(), 'oc-aws-'));
  const config = env(dataDir, 'aws');
  const provider = await createAwsProvider(config, {
    log, now: clock.now, sleep: clock.sleep, random, onClients: (clients) => double.attachAll(clients), ...options.deps,
  });
  const objectTags = async (key: string) =>
    Object.fromEntries((double.state.s3.bucket(BUCKET).objects.get(key)?.tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
  return bed(provider, clock, config, () => rmSync(dataDir, { recursive: true, force: true }), objectTags, double);
}

/** The local provider on a temporary data directory. */
export async function localBed(): Promise<TestBed> {
  const clock = createManualClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'oc-local-'));
  const config = env(dataDir, 'local');
  const provider = await createLocalProvider(config, { log, now: clock.now });
  const objectTags = async (key: string) =>
    JSON.parse(await readFile(join(dataDir, 's3-meta', BUCKET, 'objects', `${key}.json`), 'utf8').catch(() => '{"tags":{}}')).tags as Record<string, string>;
  return bed(provider, clock, config, () => rmSync(dataDir, { recursive: true, force: true }), objectTags);
}

/** What one pass of the real engine did, in the shape the module tests read. */
export interface PassResult {
  report: PassReport;
  /** Changes applied (noops and conflicts excluded); fleet-wide ones under the tenant name `shared`. */
  applied: Change[];
  /** Conflicts reported (never acted on). */
  conflicts: Change[];
  errors: Map<string, ApplyError>;
}

/**
 * One pass of the engine (the Reconciler that `tenantctl apply` runs) over the bed's modules, with
 * `manifests` as the revision: a tenant missing from it is offboarded by the engine's own lifecycle.
 */
export async function pass(bed: TestBed, manifests: readonly TenantManifest[]): Promise<PassResult> {
  const snapshot: SourceSnapshot = {
    revision: `test-${createHash('sha256').update(JSON.stringify(manifests)).digest('hex').slice(0, 12)}`,
    tenants: manifests.map((manifest) => ({ name: manifest.metadata.name, manifest, source: { file: `${manifest.metadata.name}.yaml`, line: 1, column: 1 } })),
    issues: [],
    fileCount: Math.max(1, manifests.length),
  };
  const planned = await bed.reconciler.plan(snapshot);
  const report = await bed.reconciler.apply(planned);
  return {
    report,
    applied: [...report.fleet.applied.map((c) => ({ ...c, tenant: 'shared' })), ...report.outcomes.flatMap((o) => o.applied)],
    conflicts: planned.plan.tenants.flatMap((t) => t.changes.filter((c) => c.conflict)),
    errors: new Map(report.outcomes.flatMap((o) => (o.error ? [[o.tenant, o.error] as const] : []))),
  };
}

/** Passes until one applies nothing and fails nothing (at most `max`), a backoff's length apart. */
export async function converge(bed: TestBed, manifests: readonly TenantManifest[], max = 10): Promise<number> {
  for (let n = 1; n <= max; n++) {
    const result = await pass(bed, manifests);
    if (result.applied.length === 0 && result.errors.size === 0) return n;
    bed.clock.advance(BACKOFF_MAX_MS);
  }
  throw new Error(`did not converge in ${max} passes`);
}
