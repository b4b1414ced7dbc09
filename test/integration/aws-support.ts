// Support for the tests of the AWS resource modules: example tenants as desired state, the AWS
// provider on the AWS double (through the real SDK clients), the local provider on a temporary
// data directory, and a small observe → diff → apply loop over the modules alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../controller/config.js';
import { cloudModules } from '../../controller/compose/modules.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import type { DesiredContext, DesiredTenant } from '../../controller/desired/types.js';
import { errorMessage, isRetryable } from '../../contract/errors.js';
import { executionOrder } from '../../controller/engine/planner.js';
import type { Change, ModuleContext, Observation, Offboarding, ResourceModule } from '../../controller/engine/types.js';
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
  context: DesiredContext;
  clock: ManualClock;
  /** Only with the AWS provider. */
  double?: AwsDouble;
  desired(manifests: TenantManifest[]): DesiredTenant[];
  /** Writing calls counted by the provider so far. */
  writes(): number;
  /** The last fully applied desired state of every tenant not purged (what the engine keeps in openclaw.tenants). */
  applied: Map<string, DesiredTenant>;
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

async function bed(
  provider: Provider, clock: ManualClock, config: Readonly<Config>, cleanup: () => void,
  objectTags: TestBed['objectTags'], double?: AwsDouble,
): Promise<TestBed> {
  const identity = await provider.identity();
  const context: DesiredContext = {
    ...identity, bucket: config.aws.tenantBucket, iamPath: config.aws.iamPath,
    secretsPrefix: config.aws.secretsPrefix, permissionsBoundaryArn: config.aws.permissionsBoundaryArn,
  };
  return {
    provider, context,
    modules: cloudModules(provider, { secretsPrefix: config.aws.secretsPrefix, now: clock.now, secretRecoveryWindowDays: config.aws.secretRecoveryWindowDays }), clock, double, objectTags, applied: new Map(),
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

export interface LoopResult {
  /** Changes applied (noops and conflicts excluded); fleet-wide ones under the tenant name `shared`. */
  applied: Change[];
  /** Conflicts reported (never acted on). */
  conflicts: Change[];
  errors: Map<string, { message: string; retryable: boolean; code?: string }>;
}

/**
 * One pass of the modules alone, the way the engine runs them: one observe per module, the
 * fleet-wide diff first, then each tenant's changes in execution order, stopping a
 * tenant at its first error.
 */
export async function reconcile(bed: TestBed, desired: DesiredTenant[], offboarded: Record<string, Offboarding> = {}): Promise<LoopResult> {
  const ctx: ModuleContext = { log, now: bed.clock.now };
  const tenants = [...desired.map((d) => d.name), ...Object.keys(offboarded)].sort();
  const observed = new Map<string, Observation<unknown, unknown>>();
  for (const module of bed.modules) observed.set(module.kind, await module.observe(tenants, ctx));
  const plan = (tenant: string, input: { desired?: DesiredTenant; offboarding?: Offboarding }) =>
    bed.modules.flatMap((module) => module.diff({ tenant, observed: observed.get(module.kind)?.tenants.get(tenant), ...input }));
  const result: LoopResult = { applied: [], conflicts: [], errors: new Map() };
  const fleet = bed.modules.flatMap((module) => {
    const state = observed.get(module.kind)?.fleet;
    return module.fleet && state !== undefined ? module.fleet.diff({ observed: state, fleet: [...desired, ...bed.applied.values()] }).map((c) => ({ ...c, tenant: 'shared' })) : [];
  });
  const work: [string, Change[]][] = [
    ['shared', fleet],
    ...desired.map((d): [string, Change[]] => [d.name, plan(d.name, { desired: d })]),
    ...Object.entries(offboarded).map(([name, offboarding]): [string, Change[]] => [name, plan(name, { offboarding })]),
  ];
  for (const [tenant, changes] of work) {
    result.conflicts.push(...changes.filter((c) => c.conflict));
    for (const change of executionOrder(changes.filter((c) => c.action !== 'noop' && !c.conflict), bed.modules)) {
      const module = bed.modules.find((m) => m.kind === change.kind)!;
      try {
        if (tenant === 'shared') await module.fleet?.apply(change, ctx);
        else if (change.action === 'delete') await module.delete(change, ctx);
        else await module.apply(change, ctx);
        result.applied.push(change);
      } catch (error) {
        result.errors.set(tenant, { message: errorMessage(error), retryable: isRetryable(error), code: (error as { code?: string }).code });
        break;
      }
    }
    const wanted = desired.find((d) => d.name === tenant);
    if (result.errors.has(tenant) || tenant === 'shared') continue;
    if (wanted && !changes.some((c) => c.conflict)) bed.applied.set(tenant, wanted);
    if (offboarded[tenant]?.purge) bed.applied.delete(tenant);
  }
  return result;
}

/** Passes until one applies nothing and fails nothing (at most `max`). */
export async function converge(bed: TestBed, desired: DesiredTenant[], offboarded: Record<string, Offboarding> = {}, max = 10): Promise<number> {
  for (let pass = 1; pass <= max; pass++) {
    const result = await reconcile(bed, desired, offboarded);
    if (result.applied.length === 0 && result.errors.size === 0) return pass;
  }
  throw new Error(`did not converge in ${max} passes`);
}
