import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIntegrationSecret, serializeIntegrationSecret, type ConnectedIntegration } from '../../contract/integration-secret.js';
import { names } from '../../contract/names.js';
import { secretSource } from '../../agents/connectors/index.js';
import { pooledTenantPolicy, pooledTrustPolicy } from '../../controller/desired/policy.js';
import type { DesiredContext } from '../../controller/desired/types.js';
import { createAwsDouble, seededRandom } from '../aws-double/index.js';
import { evaluatePolicies } from '../aws-double/iam-policy.js';

// The pool's token vending, proven two ways: the shared tenant-access policy evaluated by an IAM policy
// evaluator (iam-simulate) with the session's tag as aws:PrincipalTag, and end to end against the AWS
// double, whose STS checks the trust policy (sts:AssumeRole, sts:TagSession, transitive tags) and whose
// services authorize each call of a session by its role's policy. 'acme' and 'acme-eu' share a prefix.
const ctx: DesiredContext = {
  accountId: '123456789012', partition: 'aws', region: 'us-east-1', bucket: 'openclaw-tenants',
  iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw',
};
const WORKER_ARN = `arn:aws:iam::${ctx.accountId}:role/openclaw-pool-worker`;
const ROLE_ARN = `arn:aws:iam::${ctx.accountId}:role/openclaw/openclaw-tenant-access`;
const TENANTS = ['acme', 'acme-eu', 'globex'];
const PAIRS = TENANTS.flatMap((own) => TENANTS.filter((other) => other !== own).map((other) => [own, other] as const));
const POLICY = JSON.stringify(pooledTenantPolicy(ctx));

const objectArn = (tenant: string, key: string) => `arn:aws:s3:::${ctx.bucket}/${names.s3Prefix(tenant)}${key}`;
const secretArn = (tenant: string) => `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${names.pooledSecret(ctx.secretsPrefix, tenant)}-AbCdEf`;

async function simulate(tags: Record<string, string>, action: string, resource: string, context: Record<string, string> = {}): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: `arn:aws:sts::${ctx.accountId}:assumed-role/openclaw-tenant-access/run-1`,
      action,
      resource: { resource, accountId: ctx.accountId },
      contextVariables: { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])), ...context },
    },
    identityPolicies: [{ name: 'openclaw-tenant-access', policy: JSON.parse(POLICY) }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('the shared tenant-access policy, evaluated by an IAM policy evaluator with the session tag', () => {
  it.each(TENANTS)("lets %s's session use its own prefix and secret", async (tenant) => {
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) expect(await simulate({ tenant }, action, objectArn(tenant, 'agents/butler/d.md'))).toBe('Allowed');
    expect(await simulate({ tenant }, 's3:ListBucket', `arn:aws:s3:::${ctx.bucket}`, { 's3:prefix': names.s3Prefix(tenant) })).toBe('Allowed');
    expect(await simulate({ tenant }, 'secretsmanager:GetSecretValue', secretArn(tenant))).toBe('Allowed');
    expect(await simulate({ tenant }, 's3:PutObject', `arn:aws:s3:::${ctx.bucket}/${names.s3Marker(tenant)}`)).toBe('ExplicitlyDenied');
  });

  it.each(PAIRS)("denies %s's session the prefix, listing and secret of %s", async (own, other) => {
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) expect(await simulate({ tenant: own }, action, objectArn(other, 'agents/butler/d.md'))).not.toBe('Allowed');
    expect(await simulate({ tenant: own }, 's3:ListBucket', `arn:aws:s3:::${ctx.bucket}`, { 's3:prefix': names.s3Prefix(other) })).not.toBe('Allowed');
    expect(await simulate({ tenant: own }, 'secretsmanager:GetSecretValue', secretArn(other))).not.toBe('Allowed');
  });

  it('gives a session without the tenant tag nothing at all', async () => {
    for (const tenant of TENANTS) {
      expect(await simulate({}, 's3:GetObject', objectArn(tenant, 'x'))).not.toBe('Allowed');
      expect(await simulate({}, 'secretsmanager:GetSecretValue', secretArn(tenant))).not.toBe('Allowed');
    }
    expect(await simulate({ team: 'acme' }, 's3:GetObject', objectArn('acme', 'x'))).not.toBe('Allowed');
  });

  it("decides as the AWS double's evaluator does, for every tenant pair and action", async () => {
    for (const [own, other] of [...PAIRS, ...TENANTS.map((t) => [t, t] as const)]) {
      for (const [action, resource] of [['s3:GetObject', objectArn(other, 'a/b')], ['s3:PutObject', `arn:aws:s3:::${ctx.bucket}/${names.s3Marker(other)}`], ['secretsmanager:GetSecretValue', secretArn(other)]] as const) {
        const double = evaluatePolicies([POLICY], { action, resource, context: { 'aws:PrincipalTag/tenant': own } });
        expect(double, `${own} ${action} ${resource}`).toBe(await simulate({ tenant: own }, action, resource));
      }
    }
  });
});

describe('token vending against the AWS double', () => {
  const double = createAwsDouble({ random: seededRandom(18) });
  const config = { region: ctx.region, maxAttempts: 1 };
  const admin = { iam: new IAMClient({ ...config, credentials: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'x' } }), secrets: new SecretsManagerClient({ ...config, credentials: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'x' } }) };
  const worker = new STSClient({ ...config, credentials: { accessKeyId: 'AKIDWORKER', secretAccessKey: 'x' } });
  double.attachAll(admin);
  double.attach(worker, 'sts');
  double.state.sts.principals.set('AKIDWORKER', { arn: WORKER_ARN });

  const vend = (input: Partial<AssumeRoleCommandInput>, client: STSClient = worker) =>
    client.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'run-1', DurationSeconds: 900, ...input }));
  const asSession = async (tenant: string) => {
    const { Credentials } = await vend({ Tags: [{ Key: 'tenant', Value: tenant }] });
    const credentials = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    const clients = { s3: new S3Client({ ...config, credentials }), secrets: new SecretsManagerClient({ ...config, credentials }), sts: new STSClient({ ...config, credentials }) };
    double.attachAll(clients);
    return clients;
  };
  const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { name: string; message: string }) => ({ name: error.name, message: error.message }));

  beforeAll(async () => {
    double.state.s3.createBucket(ctx.bucket);
    await admin.iam.send(new CreateRoleCommand({ RoleName: 'openclaw-tenant-access', Path: '/openclaw/', AssumeRolePolicyDocument: JSON.stringify(pooledTrustPolicy(WORKER_ARN)) }));
    await admin.iam.send(new PutRolePolicyCommand({ RoleName: 'openclaw-tenant-access', PolicyName: 'openclaw-tenant-access', PolicyDocument: POLICY }));
    for (const tenant of TENANTS) await admin.secrets.send(new CreateSecretCommand({ Name: names.pooledSecret(ctx.secretsPrefix, tenant), SecretString: `{"tenant":"${tenant}"}` }));
  });

  it("gives the worker a session tagged with the run's tenant that reaches that tenant's prefix and secret", async () => {
    const acme = await asSession('acme');
    expect((await acme.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ctx.accountId}:assumed-role/openclaw-tenant-access/run-1`);
    await acme.s3.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: 'tenants/acme/agents/butler/d.md', Body: 'digest' }));
    expect(await (await acme.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: 'tenants/acme/agents/butler/d.md' }))).Body?.transformToString()).toBe('digest');
    expect((await acme.secrets.send(new GetSecretValueCommand({ SecretId: names.pooledSecret(ctx.secretsPrefix, 'acme') }))).SecretString).toBe('{"tenant":"acme"}');
  });

  it("lets a pooled run's connectors read their integration from the tenant's one secret with the vended session, and no other tenant's", async () => {
    const google: ConnectedIntegration = {
      provider: 'google', accessToken: 'initech-access', refreshToken: 'initech-refresh', expiresAt: '2026-12-03T10:00:00.000Z', scopes: ['gmail.readonly'],
      account: 'it@initech.example', connectedAt: '2026-12-01T00:00:00.000Z', lastRefreshAt: null, version: 4,
    };
    const name = names.pooledSecret(ctx.secretsPrefix, 'initech');
    await admin.secrets.send(new CreateSecretCommand({ Name: name, SecretString: serializeIntegrationSecret({ tenant: 'initech', version: 1, integrations: { google } }) }));
    const run = (session: Awaited<ReturnType<typeof asSession>>) => ({
      env: { OPENCLAW_PROVIDER: 'aws', OPENCLAW_POOLED_SECRET_ARN: name },
      readSecret: async (id: string) => (await session.secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString,
    });
    const initech = run(await asSession('initech'));
    expect(parseIntegrationSecret(await secretSource(initech, 'google')!())).toEqual(google);
    expect(await secretSource(initech, 'hubspot')!()).toBeUndefined();
    expect(await errorOf(secretSource(run(await asSession('acme')), 'google')!())).toMatchObject({ name: 'ConnectorError', message: expect.stringContaining('is not authorized to perform: secretsmanager:GetSecretValue') });
  });

  it.each(PAIRS)("refuses %s's session the prefix and listing of %s with S3's AccessDenied, and its secret with Secrets Manager's AccessDeniedException", async (own, other) => {
    const session = await asSession(own);
    expect(await errorOf(session.s3.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: `tenants/${other}/agents/x.md`, Body: 'x' })))).toMatchObject({ name: 'AccessDenied' });
    expect(await errorOf(session.s3.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: `tenants/${other}/` })))).toMatchObject({ name: 'AccessDenied' });
    expect(await errorOf(session.secrets.send(new GetSecretValueCommand({ SecretId: names.pooledSecret(ctx.secretsPrefix, other) })))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses to assume the role without the tenant tag, with a key it may not set, or transitive', async () => {
    expect(await errorOf(vend({}))).toEqual({ name: 'AccessDenied', message: `User: ${WORKER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}` });
    expect(await errorOf(vend({ Tags: [{ Key: 'tenant', Value: '' }] }))).toMatchObject({ name: 'AccessDenied' });
    expect(await errorOf(vend({ Tags: [{ Key: 'tenant', Value: 'acme' }, { Key: 'tier', Value: 'enterprise' }] }))).toEqual({ name: 'AccessDenied', message: `User: ${WORKER_ARN} is not authorized to perform: sts:TagSession on resource: ${ROLE_ARN}` });
    expect(await errorOf(vend({ Tags: [{ Key: 'tenant', Value: 'acme' }], TransitiveTagKeys: ['tenant'] }))).toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('sts:TagSession') });
  });

  it('lets no one but the worker assume it: not the controller, not a tenant session choosing another tenant', async () => {
    const controller = new STSClient({ ...config, credentials: { accessKeyId: 'AKIDCONTROLLER', secretAccessKey: 'x' } });
    double.attach(controller, 'sts');
    expect(await errorOf(vend({ Tags: [{ Key: 'tenant', Value: 'acme' }] }, controller))).toMatchObject({ name: 'AccessDenied' });
    const acme = await asSession('acme');
    expect(await errorOf(vend({ Tags: [{ Key: 'tenant', Value: 'globex' }] }, acme.sts))).toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('assumed-role/openclaw-tenant-access/run-1 is not authorized to perform: sts:AssumeRole') });
  });

  it('keeps a transitive tag through a role chain: a later session can neither rewrite nor drop it', async () => {
    // A chain the pool does not use, to show the rule: a first session with a transitive tenant tag.
    const hopTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ctx.accountId}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }, { Effect: 'Allow', Principal: { AWS: WORKER_ARN }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
    await admin.iam.send(new CreateRoleCommand({ RoleName: 'openclaw-hop', AssumeRolePolicyDocument: JSON.stringify(hopTrust) }));
    const hopArn = `arn:aws:iam::${ctx.accountId}:role/openclaw-hop`;
    const first = await worker.send(new AssumeRoleCommand({ RoleArn: hopArn, RoleSessionName: 'hop-1', Tags: [{ Key: 'tenant', Value: 'acme' }], TransitiveTagKeys: ['tenant'] }));
    const hop = new STSClient({ ...config, credentials: { accessKeyId: first.Credentials!.AccessKeyId!, secretAccessKey: 'x' } });
    double.attach(hop, 'sts');
    double.state.sts.principals.delete(first.Credentials!.AccessKeyId!);
    const trustHop = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ctx.accountId}:role/openclaw-hop` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
    await admin.iam.send(new CreateRoleCommand({ RoleName: 'openclaw-hop-2', AssumeRolePolicyDocument: JSON.stringify(trustHop) }));
    const second = { RoleArn: `arn:aws:iam::${ctx.accountId}:role/openclaw-hop-2`, RoleSessionName: 'hop-2' };
    expect(await errorOf(hop.send(new AssumeRoleCommand({ ...second, Tags: [{ Key: 'Tenant', Value: 'globex' }] })))).toMatchObject({ name: 'InvalidParameterValue' });
    const chained = await hop.send(new AssumeRoleCommand(second));
    expect(double.state.sts.sessions.get(chained.Credentials!.AccessKeyId!)?.tags).toEqual({ tenant: 'acme' });
  });
});
