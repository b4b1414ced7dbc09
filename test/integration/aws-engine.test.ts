import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PassReport } from '../../controller/engine/outcome.js';
import { createPoolWorkerPlatform, type PoolWorkerPlatform } from '../../controller/compose/pool-worker.js';
import { loadConfig } from '../../controller/config.js';
import { pooledTenantPolicy, pooledTrustPolicy } from '../../controller/desired/policy.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import { pooledLauncher } from '../../controller/pool/launcher.js';
import { poolLoginCredentials, poolWorkerPart } from '../../controller/pool/part.js';
import { createPool, type Pool } from '../../controller/db/pool.js';
import { PoolQueue } from '../../controller/pool/queue.js';
import { TokenVendingError } from '../../controller/pool/vend.js';
import { PoolWorker } from '../../controller/pool/worker.js';
import type { Launcher, LaunchRequest } from '../../controller/scheduler/launcher.js';
import { activeEntry } from '../../controller/scheduler/entries.js';
import { runEnvironment } from '../../controller/scheduler/run-env.js';
import type { Timer } from '../../controller/scheduler/timer.js';
import { metricsLogPart } from '../../controller/status/emf.js';
import { parseCommandArgs, type CliIo } from '../../controller/cli/command.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { rotateCommand } from '../../controller/cli/rotate.js';
import { names } from '../../contract/names.js';
import { createLogger } from '../../contract/logger.js';
import { FINGERPRINT_TAG } from '../../controller/providers/credentials.js';
import { createAwsDouble, createManualClock, seededRandom, type AwsDouble, type ManualClock } from '../aws-double/index.js';
import { canLogin } from '../helpers/postgres.js';
import { createWorld, starterYaml, type World } from '../helpers/world.js';
import { BOUNDARY, BUCKET } from './aws-support.js';

const AWS_ENV = {
  OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'eu-west-1', OPENCLAW_TENANT_BUCKET: BUCKET, OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY,
  OPENCLAW_ECS_CLUSTER: 'openclaw', OPENCLAW_SUBNETS: 'subnet-0123abcd', OPENCLAW_SECURITY_GROUPS: 'sg-0123abcd',
};

const HOOLI = `apiVersion: openclaw.io/v1alpha1
kind: Tenant
metadata:
  name: hooli
spec:
  displayName: Hooli
  contact:
    email: ops@hooli.example
  tier: starter
  isolation: silo
  agents:
    - name: butler
      schedule: "0 7 * * *"
      timezone: UTC
  storage:
    archiveAfterDays: 30
    expireAfterDays: 365
`;

/** The AWS the stack's Terraform leaves: the bucket, the tenant boundary, the cluster. */
function awsDouble(clock: ManualClock, seed: number): AwsDouble {
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(seed), region: 'eu-west-1' });
  double.state.s3.createBucket(BUCKET);
  double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
  double.state.ecs.createCluster('openclaw');
  return double;
}

describe('the controller with OPENCLAW_PROVIDER=aws against the AWS double', () => {
  const clock = createManualClock(Date.now());
  let double: AwsDouble;
  let world: World;
  const attach = (clients: Record<string, unknown>) => double.attachAll(clients);

  /** The first pass, made before any test: every test starts from the converged example tenants. */
  let first: PassReport;

  beforeAll(async () => {
    double = awsDouble(clock, 5);
    world = await createWorld({ extraEnv: AWS_ENV, onClients: attach, now: clock.now, sleep: clock.sleep });
    first = await world.pass();
  });
  afterAll(async () => world?.close());

  it('converges the example tenants, then passes without a single writing AWS call', async () => {
    expect(first.fleet.error).toBeUndefined();
    expect(first.outcomes.filter((o) => o.error)).toEqual([]);
    expect(double.state.iam.liveCount()).toBe(3);
    expect((await world.ctx.store.status('acme'))?.provider).toBe('aws');
    double.resetCalls();
    const second = await world.pass();
    expect(second.changesApplied).toBe(0);
    expect(double.writeCalls()).toEqual([]);
  });

  it('counts the scheduler’s ECS calls with the provider’s calls: one set of clients, one AWS-calls count', async () => {
    const launcher = world.ctx.launcher();
    if ('problem' in launcher) throw new Error(launcher.problem);
    const before = world.ctx.provider.callCounts()['ecs:DescribeTasks'] ?? 0;
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task/openclaw/0123456789abcdef';
    expect(await launcher.describe([arn])).toEqual([{ taskArn: arn, status: 'missing', reason: 'MISSING' }]);
    expect(world.ctx.provider.callCounts()['ecs:DescribeTasks']).toBe(before + 1);
    await launcher.close();
  });

  it('stops a new tenant at AccessDenied and shows AWS’s message in its status', async () => {
    const message = 'User: arn:aws:sts::123456789012:assumed-role/openclaw-controller/x is not authorized to perform: iam:CreateRole';
    double.failNext({ service: 'iam', operation: 'CreateRole' }, { name: 'AccessDenied', message });
    world.writeTenant('hooli.yaml', HOOLI);
    const report = await world.pass();
    const hooli = report.outcomes.find((o) => o.tenant === 'hooli')!;
    expect(hooli.error).toMatchObject({ retryable: false, code: 'PERMISSION_DENIED' });
    const status = await world.ctx.store.status('hooli');
    expect(status?.lastError).toContain(message);
    expect(status?.terminal).toBe(true);
  });

  it('rotates a tenant’s database credentials: new secret value first, then the role’s password', async () => {
    const secretName = names.dbSecret('openclaw', 'acme');
    const before = await world.ctx.provider.credentials.get('acme');
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t), stderr: (t) => out.push(t), cwd: process.cwd(),
      env: { DATABASE_URL: world.db.url, OPENCLAW_TENANTS_DIR: world.tenantsDir, OPENCLAW_DATA_DIR: world.dataDir, ...AWS_ENV },
    };
    cliOverrides.open = { onClients: attach, now: clock.now, sleep: clock.sleep, random: seededRandom(9), log: createLogger({ level: 'silent' }) };
    try {
      const code = await rotateCommand.run(parseCommandArgs(rotateCommand, ['acme', '--output', 'json']), io);
      const result = JSON.parse(out.join(''));
      expect(result).toMatchObject({ tenant: 'acme', rotated: true, roleUpdated: true, previousFingerprint: before!.fingerprint });
      expect(code).toBe(0);
    } finally {
      cliOverrides.open = undefined;
    }
    const after = await world.ctx.provider.credentials.get('acme');
    expect(after!.fingerprint).not.toBe(before!.fingerprint);
    const tags = (await world.ctx.provider.secrets.list(secretName))[0].tags;
    expect(tags[FINGERPRINT_TAG]).toBe(after!.fingerprint);

    const login = (password: string) => canLogin(world.db.url, after!.username, password);
    expect(await login(after!.password)).toBe(true);
    expect(await login(before!.password)).toBe(false);
  });

  it('refuses to rotate a tenant that is not declared', async () => {
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t), stderr: (t) => out.push(t), cwd: process.cwd(),
      env: { DATABASE_URL: world.db.url, OPENCLAW_TENANTS_DIR: world.tenantsDir, OPENCLAW_DATA_DIR: world.dataDir, ...AWS_ENV },
    };
    cliOverrides.open = { onClients: attach, now: clock.now, sleep: clock.sleep, log: createLogger({ level: 'silent' }) };
    try {
      expect(await rotateCommand.run(parseCommandArgs(rotateCommand, ['nobody']), io)).toBe(1);
    } finally {
      cliOverrides.open = undefined;
    }
    expect(out.join('')).toMatch(/tenant nobody is not declared/);
  });
});

/** A tenant of a pooled tier (its default isolation) with a butler. */
const pooledYaml = (name: string, tier: string) =>
  starterYaml(name, '  agents:\n    - name: butler\n      schedule: "0 7 * * *"\n').replace('tier: starter', `tier: ${tier}`);

/** What a run did with the AWS credentials in its environment: which of its calls the double allowed. */
interface Probe { env: Record<string, string>; outcomes: Record<string, string> }

/**
 * A stand-in for the agent's process: it acts with the AWS credentials in its environment alone,
 * against the double, and reports which calls AWS allowed (the real executor starts `agents/run.ts`).
 */
function probingExecutor(double: AwsDouble, other: string, probes: Probe[]): Launcher {
  const ended = new Map<string, number>();
  const outcome = (p: Promise<unknown>) => p.then(() => 'allowed', (e: { name: string }) => e.name);
  return {
    name: 'probe', pollMs: 1,
    async launch({ runId, entry, env }: LaunchRequest) {
      const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
      const config = { region: 'eu-west-1', maxAttempts: 1, credentials };
      const run = { s3: new S3Client(config), secrets: new SecretsManagerClient(config) };
      double.attachAll(run);
      const put = (tenant: string) => run.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `tenants/${tenant}/agents/butler/${runId}.md`, Body: 'digest' }));
      const read = (tenant: string) => run.secrets.send(new GetSecretValueCommand({ SecretId: names.pooledSecret('openclaw', tenant) }));
      probes.push({ env, outcomes: {
        'own prefix': await outcome(put(entry.tenant)), 'own secret': await outcome(read(entry.tenant)),
        'other prefix': await outcome(put(other)), 'other secret': await outcome(read(other)),
      } });
      ended.set(`probe:${runId}`, 0);
      return { taskArn: `probe:${runId}` };
    },
    async stop() {},
    async describe(taskArns) {
      return taskArns.map((taskArn) => ({ taskArn, status: 'stopped' as const, exitCode: ended.get(taskArn) }));
    },
    async close() {},
  };
}

describe('pooled tenants on AWS: a mixed fleet, the queue, and token vending against the AWS double', () => {
  const clock = createManualClock(Date.parse('2026-12-03T06:00:00Z'));
  const ACCOUNT = '123456789012';
  const WORKER_ARN = `arn:aws:iam::${ACCOUNT}:role/openclaw/openclaw-pool-worker`;
  const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/openclaw/openclaw-tenant-access`;
  let double: AwsDouble;
  let world: World;
  let platform: PoolWorkerPlatform;
  let queue: PoolQueue;
  let workerDb: Pool;
  let first: PassReport;
  /** The roles as the first pass left them: a later test moves a tenant to silo and back, and a deleted role lingers in the double as in IAM. */
  let convergedRoles: string[];
  const probes: Probe[] = [];
  const attach = (clients: Record<string, unknown>) => double.attachAll(clients);

  beforeAll(async () => {
    double = awsDouble(clock, 18);
    world = await createWorld({ extraEnv: AWS_ENV, onClients: attach, now: clock.now, sleep: clock.sleep });
    world.writeTenant('umbrella.yaml', pooledYaml('umbrella', 'starter'));
    world.writeTenant('vandelay.yaml', pooledYaml('vandelay', 'professional'));
    for (const file of ['globex.yaml', 'initech.yaml']) world.removeTenant(file);
    // What Terraform makes (modules/security/pool.tf): the shared role, its trust and its policy.
    const admin = { iam: new IAMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'x' } }), secrets: new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'x' } }) };
    double.attachAll(admin);
    await admin.iam.send(new CreateRoleCommand({ RoleName: 'openclaw-tenant-access', Path: '/openclaw/', AssumeRolePolicyDocument: JSON.stringify(pooledTrustPolicy(WORKER_ARN)) }));
    await admin.iam.send(new PutRolePolicyCommand({ RoleName: 'openclaw-tenant-access', PolicyName: 'openclaw-tenant-access', PolicyDocument: JSON.stringify(pooledTenantPolicy(world.ctx.desiredContext)) }));
    // What onboarding makes when a pooled tenant connects an integration: its one secret.
    for (const tenant of ['umbrella', 'vandelay']) await admin.secrets.send(new CreateSecretCommand({ Name: names.pooledSecret('openclaw', tenant), SecretString: `{"tenant":"${tenant}"}` }));
    // The worker task's own credentials: the worker role, which only the tenant-access role's trust names.
    double.state.sts.principals.set('AKIDWORKER', { arn: WORKER_ARN });
    const workerCredentials = { accessKeyId: 'AKIDWORKER', secretAccessKey: 'x' };
    const config = loadConfig({ ...AWS_ENV, DATABASE_URL: world.db.url, OPENCLAW_TENANT_ACCESS_ROLE_ARN: ROLE_ARN, OPENCLAW_POOL_WORKERS: '2' }, process.cwd());
    platform = createPoolWorkerPlatform(config, {
      log: world.ctx.log, now: clock.now, sleep: clock.sleep, random: seededRandom(4), databaseUrl: world.db.url, onClients: attach,
      clients: { sts: new STSClient({ region: 'eu-west-1', maxAttempts: 1, credentials: workerCredentials }), secrets: new SecretsManagerClient({ region: 'eu-west-1', maxAttempts: 1, credentials: workerCredentials }) },
    });
    queue = new PoolQueue(world.ctx.pool, clock.now);
    // Every test starts from the converged fleet and the pool's logins, whichever runs first.
    first = await world.pass();
    convergedRoles = [...double.state.iam.roles.values()].map((r) => r.RoleName).sort();
    await (await poolWorkerPart.start(world.ctx)).stop();
    const login = await poolLoginCredentials(world.ctx.provider.secrets, 'openclaw', 'worker');
    const url = new URL(world.db.url);
    url.username = login.username;
    url.password = login.password;
    workerDb = createPool(url.toString(), { log: world.ctx.log, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await platform?.close();
    await workerDb?.end();
    await world?.close();
  });

  const enqueue = async (tenant: string, runId: string) => {
    const snapshot = await world.ctx.source.load();
    const entry = activeEntry(desiredTenant(snapshot.tenants.find((t) => t.name === tenant)!.manifest, world.ctx.desiredContext), tenant, 'butler');
    if (typeof entry === 'string') throw new Error(entry);
    expect(entry.isolation).toBe('pool');
    await pooledLauncher(queue).launch({ runId, entry, env: runEnvironment(entry, runId, { arn: world.ctx.provider.secretArn }) });
  };
  /** A worker as the service runs it: on its own database login, whose password the controller put in its secret. */
  const worker = (executor: Launcher) => new PoolWorker({ name: 'aws-worker-1', queue: new PoolQueue(workerDb, clock.now), pool: workerDb, executor, vend: platform.vend, log: world.ctx.log, random: () => 0 });

  it('converges one silo and two pooled tenants: a role for the silo one only, then a pass without a write', async () => {
    expect(first.outcomes.filter((o) => o.error)).toEqual([]);
    expect(convergedRoles).toEqual(['openclaw-tenant-access', 'openclaw-tenant-acme']);
    double.resetCalls();
    expect((await world.pass()).changesApplied).toBe(0);
    expect(double.writeCalls()).toEqual([]);
  });

  it("makes the pool's two database logins on AWS, their passwords in secrets of their own", async () => {
    // Made when the pool worker part started, before the tests; starting it again changes nothing.
    await (await poolWorkerPart.start(world.ctx)).stop();
    const names = (await world.ctx.provider.secrets.list('openclaw/pool/')).map((s) => s.name).sort();
    expect(names).toEqual(['openclaw/pool/db', 'openclaw/pool/worker-db']);
    expect((await platform.poolLogin()).username).toBe('openclaw_pool');
    const login = await poolLoginCredentials(world.ctx.provider.secrets, 'openclaw', 'worker');
    expect(login.username).toBe('openclaw_pool_worker');
    expect((await workerDb.query('SELECT current_user AS login')).rows).toEqual([{ login: login.username }]);
  });

  it("runs a pooled run with credentials vended for its tenant alone: its own prefix and secret, AccessDenied on the other pooled tenant's", async () => {
    await enqueue('umbrella', 'run-umbrella-1');
    const before = platform.callCounts()['sts:AssumeRole'] ?? 0;
    expect(await worker(probingExecutor(double, 'vandelay', probes)).drain(1)).toBe(1);
    expect(platform.callCounts()['sts:AssumeRole']).toBe(before + 1);
    const [probe] = probes.splice(0);
    expect(probe.outcomes).toEqual({ 'own prefix': 'allowed', 'own secret': 'allowed', 'other prefix': 'AccessDenied', 'other secret': 'AccessDeniedException' });
    const session = double.state.sts.sessions.get(probe.env.AWS_ACCESS_KEY_ID)!;
    expect(session).toMatchObject({ roleArn: ROLE_ARN, tags: { tenant: 'umbrella' }, transitiveKeys: [] });
    expect(session.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/openclaw-tenant-access/run-run-umbrella-1`);
    expect(session.expiresAt - clock.now()).toBeLessThanOrEqual(900_000);
    // Nothing of the worker's: not its key, not the container credentials endpoint, not its database login.
    expect(Object.values(probe.env)).not.toContain('AKIDWORKER');
    expect(Object.keys(probe.env).filter((k) => k.startsWith('AWS_')).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
    expect(probe.env).toMatchObject({ OPENCLAW_TENANT: 'umbrella', OPENCLAW_ISOLATION: 'pool' });
    expect(probe.env.OPENCLAW_DB_SECRET_ARN).toBeUndefined();
    expect((await queue.rows(['run-umbrella-1']))[0]).toMatchObject({ exitCode: 0, finishedAt: expect.any(Date) });
  });

  it('sends a run whose vend was throttled back to the queue, and runs it on a later claim', async () => {
    await enqueue('vandelay', 'run-vandelay-1');
    double.failNext({ service: 'sts', operation: 'AssumeRole' }, { name: 'Throttling', message: 'Rate exceeded', status: 400 });
    const executor = probingExecutor(double, 'umbrella', probes);
    expect(await worker(executor).drain(1)).toBe(1);
    expect(probes).toEqual([]);
    expect((await queue.rows(['run-vandelay-1']))[0]).toMatchObject({ claimedAt: null, finishedAt: null });
    expect(await worker(executor).drain(1)).toBe(0);
    clock.advance(15_000);
    expect(await worker(executor).drain(1)).toBe(1);
    expect(probes.splice(0)[0].outcomes).toEqual({ 'own prefix': 'allowed', 'own secret': 'allowed', 'other prefix': 'AccessDenied', 'other secret': 'AccessDeniedException' });
  });

  it.each([
    ['AccessDenied', 403, 'PERMISSION_DENIED'],
    ['RegionDisabledException', 403, 'PERMISSION_DENIED'],
  ])('fails a run whose vend is refused with %s, and never starts it', async (name, status, code) => {
    const runId = `run-refused-${name}`;
    await enqueue('umbrella', runId);
    double.failNext({ service: 'sts', operation: 'AssumeRole' }, { name, message: 'refused', status });
    expect(await worker(probingExecutor(double, 'vandelay', probes)).drain(1)).toBe(1);
    expect(probes).toEqual([]);
    const [row] = await queue.rows([runId]);
    expect(row).toMatchObject({ exitCode: null, finishedAt: expect.any(Date) });
    expect(row.reason).toContain(`could not vend credentials for tenant umbrella: sts:AssumeRole: ${name}: refused`);
    double.failNext({ service: 'sts', operation: 'AssumeRole' }, { name, message: 'refused', status });
    const error = await platform.vend('umbrella', 'direct').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenVendingError);
    expect(error).toMatchObject({ code, retryable: false, tenant: 'umbrella', cause: { name } });
  });

  it("fails a run after its last throttled vend, and a worker whose role the trust does not name gets no tenant's credentials", async () => {
    await enqueue('vandelay', 'run-vandelay-2');
    double.failNext({ service: 'sts', operation: 'AssumeRole', times: 3 }, { name: 'Throttling', message: 'Rate exceeded', status: 400 });
    for (let i = 0; i < 3; i++) {
      expect(await worker(probingExecutor(double, 'umbrella', probes)).drain(1)).toBe(1);
      clock.advance(300_000);
    }
    expect(probes).toEqual([]);
    expect((await queue.rows(['run-vandelay-2']))[0]).toMatchObject({ exitCode: null, finishedAt: expect.any(Date), reason: expect.stringContaining('throttled') });
    double.state.sts.principals.delete('AKIDWORKER');
    try {
      await expect(platform.vend('vandelay', 'as-someone-else')).rejects.toMatchObject({ code: 'PERMISSION_DENIED', retryable: false });
    } finally {
      double.state.sts.principals.set('AKIDWORKER', { arn: WORKER_ARN });
    }
  });

  it('logs the queue depth the worker service scales on every minute, leaving out runs held back for a later vend', async () => {
    await enqueue('vandelay', 'run-held');
    clock.advance(1);
    await enqueue('umbrella', 'run-waiting');
    expect((await queue.claim('aws-worker-1', 60_000))?.runId).toBe('run-held');
    await queue.defer('run-held', 'aws-worker-1', 600_000);
    const timers: { fn: () => void; ms: number }[] = [];
    const timer: Timer = {
      setTimeout: (fn, ms) => {
        timers.push({ fn, ms });
        return () => {};
      },
    };
    const part = await metricsLogPart.start({ ...world.ctx, timer });
    expect(timers.map((t) => t.ms)).toEqual([60_000]);
    const before = world.logLines.length;
    timers.shift()!.fn();
    await part.stop();
    const line = world.logLines.slice(before).map((text) => JSON.parse(text)).find((entry) => entry._aws);
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'OpenClaw/Controller', Metrics: [{ Name: 'PoolQueueDepth', Unit: 'Count' }] });
    expect(line).toMatchObject({ Service: 'controller', PoolQueueDepth: 1 });
    for (const runId of ['run-waiting', 'run-held']) await queue.finish(runId, null, 'test over');
  });

  it('passes for one settled pooled tenant without GetRole, and looks the role up for a tenant moving to silo and back', async () => {
    const onePass = async () => {
      double.resetCalls();
      const { report } = await world.ctx.loop.applyNewRevision();
      expect(report?.outcomes.filter((o) => o.error)).toEqual([]);
      return { only: report?.outcomes.map((o) => o.tenant), calls: double.countsByOperation() };
    };
    world.writeTenant('umbrella.yaml', pooledYaml('umbrella', 'starter').replace('displayName: umbrella', 'displayName: Umbrella Corporation'));
    const settled = await onePass();
    expect(settled.only).toEqual(['umbrella']);
    expect(settled.calls['iam:GetRole']).toBeUndefined();
    expect(settled.calls['secretsmanager:ListSecrets']).toBeGreaterThan(0);

    world.writeTenant('vandelay.yaml', pooledYaml('vandelay', 'professional').replace('tier: professional', 'tier: professional\n  isolation: silo'));
    const toSilo = await onePass();
    expect(toSilo.only).toEqual(['vandelay']);
    expect([toSilo.calls['iam:GetRole'], toSilo.calls['iam:CreateRole']]).toEqual([1, 1]);

    world.writeTenant('vandelay.yaml', pooledYaml('vandelay', 'professional').replace('tier: professional', 'tier: professional\n  isolation: pool'));
    const toPool = await onePass();
    expect([toPool.calls['iam:GetRole'], toPool.calls['iam:DeleteRole']]).toEqual([1, 1]);
  });
});
