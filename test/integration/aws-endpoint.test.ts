// Issue 4's "done when": OPENCLAW_PROVIDER=aws with AWS_ENDPOINT_URL pointing at an AWS-compatible
// endpoint converges the example tenants. The endpoint is the AWS double served over HTTP with the
// real wire protocols; the controller is the real `tenantctl` in a child process, whose SDK clients
// are built from configuration alone — nothing is attached to them.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, TENANT_TAG, desiredTenant } from '../../controller/desired/tenant.js';
import type { DesiredTenant } from '../../controller/desired/types.js';
import { LIFECYCLE_TAG, NONCURRENT_RULE_ID, classRule, lifecycleClass } from '../../controller/resources/s3/lifecycle.js';
import { MARKER_META } from '../../controller/resources/s3/observe.js';
import { createAwsDouble, type AwsDouble } from '../aws-double/index.js';
import { startAwsDoubleServer, type AwsDoubleServer } from '../aws-double/http/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { exampleManifests } from './aws-support.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BUCKET = 'openclaw-endpoint-tenants';
const BOUNDARY = 'arn:aws:iam::123456789012:policy/openclaw-boundary';
const ACCOUNT = '123456789012';

/** A rule someone else owns: read-modify-write must hand it back exactly as S3 stored it. */
const FOREIGN_RULE: LifecycleRule = {
  ID: 'logs-cleanup',
  Status: 'Enabled',
  Filter: { Prefix: 'logs/' },
  Expiration: { Days: 14 },
  NoncurrentVersionExpiration: { NoncurrentDays: 3 },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tenantctl(args: string[], env: Record<string, string>): Promise<Run> {
  // Asynchronous on purpose: the endpoint answers from this process's event loop.
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/tenantctl.js'), ...args], { cwd: ROOT, env, timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tenantctl against an AWS-compatible endpoint (the AWS double over HTTP)', () => {
  let double: AwsDouble;
  let server: AwsDoubleServer;
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let desired: DesiredTenant[];

  beforeAll(async () => {
    double = createAwsDouble({ accountId: ACCOUNT, region: 'us-east-1' });
    double.state.s3.createBucket(BUCKET).lifecycle = [structuredClone(FOREIGN_RULE)];
    double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
    double.state.ecs.createCluster('openclaw');
    server = await startAwsDoubleServer(double);
    db = await createTestDatabase('aws_endpoint');
    dataDir = mkdtempSync(join(tmpdir(), 'oc-endpoint-'));
    env = {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      OPENCLAW_PROVIDER: 'aws',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: server.url,
      OPENCLAW_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      OPENCLAW_TENANT_BUCKET: BUCKET,
      OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY,
      DATABASE_URL: db.url,
      OPENCLAW_DATA_DIR: dataDir,
      OPENCLAW_LOG_LEVEL: 'warn',
    };
    const context = { accountId: ACCOUNT, partition: 'aws', region: 'us-east-1', bucket: BUCKET, iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw', permissionsBoundaryArn: BOUNDARY };
    desired = (await exampleManifests()).map((m) => desiredTenant(m, context));
  });

  /** The first apply, made once by whichever test needs it first: its calls and requests as they stood when it ended. */
  let applying: Promise<{ run: Awaited<ReturnType<typeof tenantctl>>; calls: typeof double.calls; requests: typeof server.requests }> | undefined;
  const applied = () => (applying ??= tenantctl(['apply', 'tenants/'], env).then((run) => ({ run, calls: [...double.calls], requests: [...server.requests] })));

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('`tenantctl apply tenants/` converges the example tenants through the endpoint', async () => {
    const { run, calls, requests } = await applied();
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(desired.map((t) => t.name).sort()).toEqual(['acme', 'globex', 'initech']);

    // Every call crossed the socket: the child process has no other way to the double's state.
    expect(requests.length).toBeGreaterThan(0);
    expect(calls.length).toBe(requests.length);
    // Service Quotas: the apply reads the account's headroom before it creates roles and secrets.
    expect(new Set(requests.map((r) => r.service))).toEqual(new Set(['sts', 'iam', 's3', 'secretsmanager', 'servicequotas']));
    // The only failed calls are the controller's probes for values that do not exist yet.
    const failed = calls.filter((c) => c.error).map((c) => `${c.operation}:${c.error}`);
    expect(new Set(failed)).toEqual(new Set(['GetSecretValue:ResourceNotFoundException', 'DescribeSecret:ResourceNotFoundException']));

    const { iam, s3, secrets } = double.state;
    expect(iam.liveCount()).toBe(desired.length);
    for (const t of desired) {
      const role = iam.role(t.iam.roleName)!;
      expect(role, t.iam.roleName).toBeDefined();
      expect(role.Path).toBe('/openclaw/tenants/');
      expect(role.PermissionsBoundaryArn).toBe(BOUNDARY);
      expect(JSON.parse(role.AssumeRolePolicyDocument)).toEqual(t.iam.assumeRolePolicy);
      expect([...role.policies.keys()]).toEqual([t.iam.inlinePolicyName]);
      expect(JSON.parse(role.policies.get(t.iam.inlinePolicyName)!)).toEqual(t.iam.inlinePolicy);
      expect(Object.fromEntries(role.Tags.map((tag) => [tag.Key, tag.Value]))).toEqual(t.tags);

      const names = [t.secrets.db.name, ...t.secrets.integrations.map((i) => i.name)];
      for (const name of names) {
        const secret = secrets.find(name)!;
        expect(secret, name).toBeDefined();
        expect(secret.DeletedDate).toBeUndefined();
        expect(Object.fromEntries(secret.Tags.map((tag) => [tag.Key, tag.Value]))).toMatchObject({ [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [TENANT_TAG]: t.name });
      }
      // The runtime database credentials are generated once; integration secrets stay placeholders.
      expect(secrets.find(t.secrets.db.name)!.versions.size).toBe(1);
      for (const i of t.secrets.integrations) expect(secrets.find(i.name)!.versions.size).toBe(0);

      const marker = s3.bucket(BUCKET).objects.get(t.s3.markerKey);
      expect(marker, t.s3.markerKey).toBeDefined();
      // x-amz-meta-* headers, lower-cased as S3 keeps them.
      expect(marker!.Metadata).toEqual({
        [MARKER_META.managedBy]: MANAGED_BY_VALUE,
        [MARKER_META.tenant]: t.name,
        [MARKER_META.lifecycle]: lifecycleClass(t.s3),
      });
      expect(marker!.ContentType).toBe('application/json');
    }

    const rules = s3.bucket(BUCKET).lifecycle ?? [];
    expect(rules).toContainEqual(FOREIGN_RULE);
    const owned = [...new Set(desired.map((t) => classRule(t.s3).id)), NONCURRENT_RULE_ID].sort();
    expect(rules.map((r) => r.ID).filter((id) => id !== FOREIGN_RULE.ID).sort()).toEqual(owned);
    for (const t of desired) {
      const rule = rules.find((r) => r.ID === classRule(t.s3).id)!;
      expect(rule).toMatchObject({
        Status: 'Enabled',
        Filter: { And: { Prefix: 'tenants/', Tags: [{ Key: LIFECYCLE_TAG, Value: lifecycleClass(t.s3) }] } },
        Transitions: [{ Days: t.s3.archiveAfterDays, StorageClass: 'GLACIER' }],
        Expiration: { Days: t.s3.expireAfterDays },
      });
    }
  });

  it('a second `tenantctl plan tenants/` sees no changes: every shape round-trips without a false diff', async () => {
    expect((await applied()).run.code).toBe(0);
    double.resetCalls();
    const before = server.requests.length;
    const run = await tenantctl(['plan', 'tenants/'], env);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(server.requests.length).toBeGreaterThan(before);
    expect(double.calls.length).toBe(server.requests.length - before);
    // Read through the wire: URL-encoded, reordered policy documents, tags, lifecycle rules, listings.
    const counts = double.countsByOperation();
    expect(counts['iam:GetAccountAuthorizationDetails']).toBeGreaterThan(0);
    expect(counts['s3:GetBucketLifecycleConfiguration']).toBeGreaterThan(0);
    expect(counts['secretsmanager:ListSecrets']).toBeGreaterThan(0);
    expect(double.writeCalls()).toEqual([]);
  });
});
