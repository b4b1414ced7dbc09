// Real SDK clients, configured as the controller configures its own (endpoint, path-style S3, static
// credentials, maxAttempts 1), against the double over HTTP — and the same calls through clients
// attached to the same double: both attachment styles see one state and get the same answers.
import * as E from '@aws-sdk/client-ecs';
import * as I from '@aws-sdk/client-iam';
import * as S from '@aws-sdk/client-s3';
import * as M from '@aws-sdk/client-secrets-manager';
import * as V from '@aws-sdk/client-sesv2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsDouble, createDoubleClients, createManualClock, seededRandom, type AwsDouble, type DoubleClients } from '../index.js';
import { startAwsDoubleServer, type AwsDoubleServer } from './index.js';

const BUCKET = 'tenants';
/** Buckets of their own, so that no test sees another's objects whatever the order. */
const VERSIONED = 'versioned';
const EXCHANGES = 'exchanges';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Own', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::tenants/tenants/a/*' }] });

interface Client {
  send(command: any): Promise<any>;
}

const strip = <T extends { $metadata?: unknown }>({ $metadata: _m, ...rest }: T) => rest;

describe('the AWS double over HTTP, through real SDK clients', () => {
  // Whole seconds: S3's Last-Modified header carries no milliseconds.
  const clock = createManualClock(Date.UTC(2025, 0, 1));
  let double: AwsDouble;
  let server: AwsDoubleServer;
  let local: DoubleClients;
  let http: { iam: I.IAMClient; s3: S.S3Client; secrets: M.SecretsManagerClient; sts: STSClient; ecs: E.ECSClient; ses: V.SESv2Client };

  /** The same command over HTTP and through the attached client: equal outputs, $metadata aside. */
  async function both(service: keyof typeof http, make: () => object) {
    const overHttp = strip(await (http[service] as Client).send(make()));
    const attached = strip(await (local[service] as Client).send(make()));
    expect(overHttp).toEqual(attached);
    return overHttp;
  }

  beforeAll(async () => {
    double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(11) });
    double.state.s3.createBucket(BUCKET);
    double.state.ecs.createCluster('openclaw');
    double.state.ecs.registerTaskDefinition('butler', { containerNames: ['agent'] });
    server = await startAwsDoubleServer(double);
    local = createDoubleClients(double);
    const config = { region: 'us-east-1', endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    http = {
      iam: new I.IAMClient(config),
      s3: new S.S3Client({ ...config, forcePathStyle: true }),
      secrets: new M.SecretsManagerClient(config),
      sts: new STSClient(config),
      ecs: new E.ECSClient(config),
      ses: new V.SESv2Client(config),
    };
  });

  afterAll(async () => {
    for (const client of Object.values(http ?? {})) client.destroy();
    await server?.close();
  });

  it('IAM (awsQuery): roles, inline policies and tags, read back URL-encoded as IAM does', async () => {
    await http.iam.send(new I.CreateRoleCommand({
      RoleName: 'openclaw-tenant-a', Path: '/openclaw/tenants/', AssumeRolePolicyDocument: TRUST, Description: 'a & b',
      PermissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary', Tags: [{ Key: 'openclaw:tenant', Value: 'a' }, { Key: 'empty', Value: '' }],
    }));
    await http.iam.send(new I.PutRolePolicyCommand({ RoleName: 'openclaw-tenant-a', PolicyName: 'access', PolicyDocument: POLICY }));
    await http.iam.send(new I.TagRoleCommand({ RoleName: 'openclaw-tenant-a', Tags: [{ Key: 'tier', Value: 'pro' }] }));
    await http.iam.send(new I.UntagRoleCommand({ RoleName: 'openclaw-tenant-a', TagKeys: ['empty'] }));

    const details = await both('iam', () => new I.GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000 }));
    const role = details.RoleDetailList!.find((r: I.RoleDetail) => r.RoleName === 'openclaw-tenant-a')!;
    expect(role.CreateDate).toEqual(new Date(clock.now()));
    expect(JSON.parse(decodeURIComponent(role.RolePolicyList![0].PolicyDocument!))).toEqual(JSON.parse(POLICY));
    expect(role.Tags).toEqual([{ Key: 'openclaw:tenant', Value: 'a' }, { Key: 'tier', Value: 'pro' }]);
    expect(role.PermissionsBoundary?.PermissionsBoundaryArn).toBe('arn:aws:iam::123456789012:policy/boundary');
    await both('iam', () => new I.GetRoleCommand({ RoleName: 'openclaw-tenant-a' }));
    await both('iam', () => new I.ListRolesCommand({ PathPrefix: '/openclaw/' }));
    await both('iam', () => new I.GetRolePolicyCommand({ RoleName: 'openclaw-tenant-a', PolicyName: 'access' }));
    await both('iam', () => new I.ListRoleTagsCommand({ RoleName: 'openclaw-tenant-a' }));
    await both('sts', () => new GetCallerIdentityCommand({}));
  });

  it('IAM errors arrive as the modeled exceptions, with AWS’s status and message', async () => {
    await http.iam.send(new I.CreateRoleCommand({ RoleName: 'conflicting-role', Path: '/errors/', AssumeRolePolicyDocument: TRUST }));
    await http.iam.send(new I.PutRolePolicyCommand({ RoleName: 'conflicting-role', PolicyName: 'access', PolicyDocument: POLICY }));
    await expect(http.iam.send(new I.GetRoleCommand({ RoleName: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException', message: 'The role with name missing cannot be found.', $fault: 'client', $metadata: { httpStatusCode: 404 },
    });
    await expect(http.iam.send(new I.CreateRoleCommand({ RoleName: 'CONFLICTING-ROLE', AssumeRolePolicyDocument: TRUST }))).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException', $metadata: { httpStatusCode: 409 },
    });
    await expect(http.iam.send(new I.DeleteRoleCommand({ RoleName: 'conflicting-role' }))).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await expect(http.iam.send(new I.PutRolePolicyCommand({ RoleName: 'conflicting-role', PolicyName: 'p', PolicyDocument: '{' }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
    double.failNext({ service: 'iam', operation: 'ListRoles' }, { name: 'Throttling', message: 'Rate exceeded' });
    await expect(http.iam.send(new I.ListRolesCommand({}))).rejects.toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    double.failNext({ service: 'iam' }, { name: 'AccessDenied', message: 'not authorized to perform: iam:GetRole' });
    await expect(http.iam.send(new I.GetRoleCommand({ RoleName: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(http.iam.send(new I.ListUsersCommand({}))).rejects.toMatchObject({ name: 'UnsupportedOperation' });
  });

  it('S3 (REST-XML): objects with metadata and tags, delimiter listings, batch deletes', async () => {
    await http.s3.send(new S.PutObjectCommand({
      Bucket: BUCKET, Key: 'tenants/a b/.marker', Body: '{"tenant":"a"}', ContentType: 'application/json',
      Metadata: { 'Openclaw-Tenant': 'a' }, Tagging: 'class=a30-e365&x=%26',
    }));
    await http.s3.send(new S.PutObjectCommand({ Bucket: BUCKET, Key: 'tenants/b/data.bin', Body: new Uint8Array([0, 1, 2, 255]) }));
    const head = await both('s3', () => new S.HeadObjectCommand({ Bucket: BUCKET, Key: 'tenants/a b/.marker' }));
    expect(head).toMatchObject({ ContentLength: 14, ContentType: 'application/json', Metadata: { 'openclaw-tenant': 'a' }, TagCount: 2 });
    const get = await http.s3.send(new S.GetObjectCommand({ Bucket: BUCKET, Key: 'tenants/b/data.bin' }));
    expect([...(await get.Body!.transformToByteArray())]).toEqual([0, 1, 2, 255]);
    await both('s3', () => new S.GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tenants/a b/.marker' }));
    await http.s3.send(new S.PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'tenants/b/data.bin', Tagging: { TagSet: [{ Key: 'k', Value: 'v<>' }] } }));
    expect((await both('s3', () => new S.GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tenants/b/data.bin' }))).TagSet).toEqual([{ Key: 'k', Value: 'v<>' }]);

    const prefixes = await both('s3', () => new S.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tenants/', Delimiter: '/' }));
    expect(prefixes.CommonPrefixes).toEqual([{ Prefix: 'tenants/a b/' }, { Prefix: 'tenants/b/' }]);
    expect(prefixes.Contents).toBeUndefined();
    const page = await both('s3', () => new S.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tenants/', MaxKeys: 1 }));
    expect(page.IsTruncated).toBe(true);
    await both('s3', () => new S.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tenants/', ContinuationToken: page.NextContinuationToken }));

    const deleted = await http.s3.send(new S.DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'tenants/b/data.bin' }] } }));
    expect(deleted.Deleted).toEqual([{ Key: 'tenants/b/data.bin' }]);
    await http.s3.send(new S.DeleteObjectCommand({ Bucket: BUCKET, Key: 'tenants/a b/.marker' }));
    expect(double.state.s3.bucket(BUCKET).objects.size).toBe(0);
  });

  it('S3 versioning over the wire: versions, delete markers, paged ListObjectVersions, DeleteObjects by VersionId', async () => {
    double.state.s3.createBucket(VERSIONED);
    await http.s3.send(new S.PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await both('s3', () => new S.GetBucketVersioningCommand({ Bucket: VERSIONED }))).Status).toBe('Enabled');
    const v1 = await http.s3.send(new S.PutObjectCommand({ Bucket: VERSIONED, Key: 'tenants/v/f', Body: 'one' }));
    await http.s3.send(new S.PutObjectCommand({ Bucket: VERSIONED, Key: 'tenants/v/f', Body: 'two' }));
    const marker = await http.s3.send(new S.DeleteObjectCommand({ Bucket: VERSIONED, Key: 'tenants/v/f' }));
    expect(marker).toMatchObject({ DeleteMarker: true, VersionId: expect.any(String) });
    const old = await http.s3.send(new S.GetObjectCommand({ Bucket: VERSIONED, Key: 'tenants/v/f', VersionId: v1.VersionId }));
    expect(await old.Body!.transformToString()).toBe('one');
    const first = await both('s3', () => new S.ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'tenants/v/', MaxKeys: 2 }));
    expect(first).toMatchObject({ IsTruncated: true, NextKeyMarker: 'tenants/v/f' });
    expect(first.DeleteMarkers).toEqual([expect.objectContaining({ Key: 'tenants/v/f', VersionId: marker.VersionId, IsLatest: true })]);
    const rest = await both('s3', () => new S.ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'tenants/v/', KeyMarker: first.NextKeyMarker, VersionIdMarker: first.NextVersionIdMarker }));
    expect(rest.Versions?.map((v: S.ObjectVersion) => v.VersionId)).toEqual([v1.VersionId]);
    const all = [...(first.Versions ?? []), ...(first.DeleteMarkers ?? []), ...(rest.Versions ?? [])];
    const deleted = await http.s3.send(new S.DeleteObjectsCommand({ Bucket: VERSIONED, Delete: { Objects: all.map(({ Key, VersionId }) => ({ Key, VersionId })) } }));
    expect(deleted.Deleted).toHaveLength(3);
    expect(double.state.s3.bucket(VERSIONED).versions.size).toBe(0);
  });

  it('S3 lifecycle configuration round-trips every rule shape', async () => {
    await expect(http.s3.send(new S.GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: 'NoSuchLifecycleConfiguration', $metadata: { httpStatusCode: 404 },
    });
    const rules: S.LifecycleRule[] = [
      {
        ID: 'openclaw-lifecycle-a30-e365', Status: 'Enabled', Filter: { And: { Prefix: 'tenants/', Tags: [{ Key: 'openclaw-lifecycle', Value: 'a30-e365' }] } },
        Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 },
      },
      { ID: 'tag-only', Status: 'Disabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, Expiration: { Days: 7 } },
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, NoncurrentVersionExpiration: { NoncurrentDays: 3 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ];
    await http.s3.send(new S.PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: rules } }));
    expect(double.state.s3.bucket(BUCKET).lifecycle).toEqual(rules);
    expect((await both('s3', () => new S.GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules).toEqual(rules);
    await http.s3.send(new S.DeleteBucketLifecycleCommand({ Bucket: BUCKET }));
    expect(double.state.s3.bucket(BUCKET).lifecycle).toBeUndefined();
  });

  it('S3 errors: NoSuchKey, NoSuchBucket, NotFound for HEAD, SlowDown', async () => {
    await expect(http.s3.send(new S.GetObjectCommand({ Bucket: BUCKET, Key: 'nope' }))).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    await expect(http.s3.send(new S.ListObjectsV2Command({ Bucket: 'other' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(http.s3.send(new S.HeadObjectCommand({ Bucket: BUCKET, Key: 'nope' }))).rejects.toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    await expect(http.s3.send(new S.PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: [] } }))).rejects.toMatchObject({
      name: 'MalformedXML',
    });
    double.failNext({ service: 's3' }, { name: 'SlowDown', message: 'Please reduce your request rate.' });
    await expect(http.s3.send(new S.ListObjectsV2Command({ Bucket: BUCKET }))).rejects.toMatchObject({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
  });

  it('Secrets Manager (awsJson1_1): values, tags, filtered listing, deletion and restore', async () => {
    const created = await http.secrets.send(new M.CreateSecretCommand({
      Name: 'openclaw/tenants/a/db', SecretString: '{"user":"a"}', ClientRequestToken: 'token-000000000000000000000000000001', Tags: [{ Key: 'openclaw:tenant', Value: 'a' }],
    }));
    expect(created.Name).toBe('openclaw/tenants/a/db');
    await http.secrets.send(new M.CreateSecretCommand({ Name: 'openclaw/tenants/a/integrations/google', Description: 'placeholder' }));
    await http.secrets.send(new M.CreateSecretCommand({ Name: 'openclaw/tenants/a/bin', SecretBinary: new Uint8Array([9, 8, 7]) }));
    expect((await http.secrets.send(new M.GetSecretValueCommand({ SecretId: 'openclaw/tenants/a/bin' }))).SecretBinary).toEqual(new Uint8Array([9, 8, 7]));
    await both('secrets', () => new M.GetSecretValueCommand({ SecretId: 'openclaw/tenants/a/db' }));
    await http.secrets.send(new M.TagResourceCommand({ SecretId: 'openclaw/tenants/a/db', Tags: [{ Key: 'tier', Value: 'pro' }] }));
    await http.secrets.send(new M.UntagResourceCommand({ SecretId: 'openclaw/tenants/a/db', TagKeys: ['tier'] }));
    await http.secrets.send(new M.PutSecretValueCommand({ SecretId: 'openclaw/tenants/a/db', SecretString: '{"user":"a2"}' }));
    await http.secrets.send(new M.DeleteSecretCommand({ SecretId: 'openclaw/tenants/a/integrations/google', RecoveryWindowInDays: 7 }));

    const described = await both('secrets', () => new M.DescribeSecretCommand({ SecretId: 'openclaw/tenants/a/integrations/google' }));
    expect(described.DeletedDate).toEqual(new Date(clock.now()));
    const listed = await both('secrets', () => new M.ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['openclaw/tenants/a/'] }], IncludePlannedDeletion: true, MaxResults: 100 }));
    expect(listed.SecretList!.map((s: M.SecretListEntry) => s.Name).sort()).toEqual(['openclaw/tenants/a/bin', 'openclaw/tenants/a/db', 'openclaw/tenants/a/integrations/google']);
    await expect(http.secrets.send(new M.CreateSecretCommand({ Name: 'openclaw/tenants/a/integrations/google' }))).rejects.toMatchObject({
      name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 },
    });
    await http.secrets.send(new M.RestoreSecretCommand({ SecretId: 'openclaw/tenants/a/integrations/google' }));
    await expect(http.secrets.send(new M.CreateSecretCommand({ Name: 'openclaw/tenants/a/db' }))).rejects.toMatchObject({
      name: 'ResourceExistsException', message: 'The operation failed because the secret openclaw/tenants/a/db already exists.',
    });
    await expect(http.secrets.send(new M.GetSecretValueCommand({ SecretId: 'openclaw/tenants/a/integrations/google' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('ECS (awsJson1_1): RunTask, DescribeTasks with tags, ListTasks, StopTask', async () => {
    const run = await http.ecs.send(new E.RunTaskCommand({
      cluster: 'openclaw', taskDefinition: 'butler', launchType: 'FARGATE', startedBy: 'openclaw/a/butler',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123abcd'] } },
      overrides: { containerOverrides: [{ name: 'agent', environment: [{ name: 'TENANT', value: 'a' }] }] }, tags: [{ key: 'openclaw:tenant', value: 'a' }],
    }));
    const arn = run.tasks![0].taskArn!;
    expect(run.tasks![0].createdAt).toEqual(new Date(clock.now()));
    const described = await both('ecs', () => new E.DescribeTasksCommand({ cluster: 'openclaw', tasks: [arn, 'missing'], include: ['TAGS'] }));
    expect(described.tasks![0].tags).toEqual([{ key: 'openclaw:tenant', value: 'a' }]);
    expect(described.failures).toEqual([{ arn: 'missing', reason: 'MISSING' }]);
    await both('ecs', () => new E.ListTasksCommand({ cluster: 'openclaw', startedBy: 'openclaw/a/butler' }));
    const stopped = await http.ecs.send(new E.StopTaskCommand({ cluster: 'openclaw', task: arn, reason: 'test' }));
    expect(stopped.task?.desiredStatus).toBe('STOPPED');
    await expect(http.ecs.send(new E.RunTaskCommand({ cluster: 'nope', taskDefinition: 'butler' }))).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('ECS over HTTP: RunTask is idempotent on its client token, and a conflict names the task it started', async () => {
    const input = (startedBy: string): E.RunTaskCommandInput => ({
      cluster: 'openclaw', taskDefinition: 'butler', launchType: 'FARGATE', startedBy, clientToken: 'run-over-http',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123abcd'] } },
    });
    const first = (await http.ecs.send(new E.RunTaskCommand(input('openclaw/b/butler')))).tasks![0].taskArn;
    expect((await http.ecs.send(new E.RunTaskCommand(input('openclaw/b/butler')))).tasks!.map((t) => t.taskArn)).toEqual([first]);
    await expect(http.ecs.send(new E.RunTaskCommand(input('openclaw/c/butler')))).rejects.toMatchObject({ name: 'ConflictException', resourceIds: [first] });
  });

  it('SES v2 (REST-JSON): a raw message sent, an identity read by its path label, errors by x-amzn-errortype', async () => {
    double.state.ses.verifyIdentity('mail.example.com');
    double.state.ses.createConfigurationSet('digests');
    const raw = Buffer.from('From: digest@mail.example.com\r\nTo: ops@acme.example\r\nSubject: Over the wire\r\n\r\nWords.\r\n');
    const { MessageId } = await http.ses.send(new V.SendEmailCommand({
      FromEmailAddress: 'digest@mail.example.com', Destination: { ToAddresses: ['ops@acme.example'] }, ConfigurationSetName: 'digests',
      Content: { Raw: { Data: raw } }, EmailTags: [{ Name: 'tenant', Value: 'acme' }],
    }));
    expect(double.state.ses.sent.at(-1)).toMatchObject({ messageId: MessageId, from: 'digest@mail.example.com', to: ['ops@acme.example'], configurationSet: 'digests', tags: { tenant: 'acme' }, subject: 'Over the wire', raw });
    expect(await both('ses', () => new V.GetEmailIdentityCommand({ EmailIdentity: 'mail.example.com' }))).toMatchObject({ IdentityType: 'DOMAIN', VerifiedForSendingStatus: true });
    await both('ses', () => new V.GetAccountCommand({}));
    await expect(http.ses.send(new V.GetEmailIdentityCommand({ EmailIdentity: 'nobody@else.example' }))).rejects.toMatchObject({
      name: 'NotFoundException', message: 'Email identity <nobody@else.example> does not exist.', $metadata: { httpStatusCode: 404 },
    });
    await expect(http.ses.send(new V.SendEmailCommand({ FromEmailAddress: 'x@unverified.example', Destination: { ToAddresses: ['ops@acme.example'] }, Content: { Raw: { Data: raw } } })))
      .rejects.toMatchObject({ name: 'MessageRejected', $metadata: { httpStatusCode: 400 } });
  });

  it('logs every exchange, and every call reached the double through it', async () => {
    double.state.s3.createBucket(EXCHANGES);
    const logged = server.requests.length;
    const called = double.calls.length;
    await http.sts.send(new GetCallerIdentityCommand({}));
    await http.iam.send(new I.ListRolesCommand({}));
    await http.s3.send(new S.PutObjectCommand({ Bucket: EXCHANGES, Key: 'logged', Body: 'x' }));
    await http.s3.send(new S.HeadObjectCommand({ Bucket: EXCHANGES, Key: 'logged' }));
    await http.secrets.send(new M.ListSecretsCommand({}));
    await http.ecs.send(new E.ListTasksCommand({ cluster: 'openclaw' }));
    const exchanges = server.requests.slice(logged);
    expect(exchanges.map((r) => `${r.service}:${r.operation}`)).toEqual([
      'sts:GetCallerIdentity', 'iam:ListRoles', 's3:PutObject', 's3:HeadObject', 'secretsmanager:ListSecrets', 'ecs:ListTasks',
    ]);
    expect(double.calls.length - called).toBe(exchanges.length);
    expect(exchanges.find((r) => r.operation === 'HeadObject')).toMatchObject({ method: 'HEAD', status: 200 });
  });
});
