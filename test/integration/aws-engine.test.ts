import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs, type CliIo } from '../../controller/cli/command.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { rotateCommand } from '../../controller/cli/rotate.js';
import { names } from '../../contract/names.js';
import { createLogger } from '../../contract/logger.js';
import { FINGERPRINT_TAG } from '../../controller/providers/credentials.js';
import { createAwsDouble, createManualClock, seededRandom, type AwsDouble } from '../aws-double/index.js';
import { canLogin } from '../helpers/postgres.js';
import { createWorld, type World } from '../helpers/world.js';
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

describe('the controller with OPENCLAW_PROVIDER=aws against the AWS double', () => {
  const clock = createManualClock(Date.now());
  let double: AwsDouble;
  let world: World;
  const attach = (clients: Record<string, unknown>) => double.attachAll(clients);

  beforeAll(async () => {
    double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(5), region: 'eu-west-1' });
    double.state.s3.createBucket(BUCKET);
    double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
    double.state.ecs.createCluster('openclaw');
    world = await createWorld({ extraEnv: AWS_ENV, onClients: attach, now: clock.now, sleep: clock.sleep });
  });
  afterAll(async () => world?.close());

  it('converges the example tenants, then passes without a single writing AWS call', async () => {
    const first = await world.pass();
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
