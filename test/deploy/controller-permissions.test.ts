import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operationsInSource, requiredActions, scanAwsOperations, type AwsOperation } from './lib/aws-operations.js';
import { allowedActions, conditionValue, statementsOf } from './lib/iam.js';
import { REPO_ROOT, loadStack } from './lib/terraform.js';

/**
 * Operations of services the controller will call but whose code is not written yet (the scheduler's ECS
 * calls, issue 5). They stand in for the code only while controller/ issues no operation of that client;
 * from the first one on, the code alone decides.
 */
const PLANNED_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  ecs: ['RunTask', 'DescribeTasks', 'StopTask'],
};

/** Actions that support no resource-level scoping, the only ones that may be granted on "*". */
const UNSCOPABLE = new Set(['iam:GetAccountAuthorizationDetails', 'iam:GetAccountSummary', 'iam:ListRoles', 'secretsmanager:ListSecrets']);

const stack = await loadStack();
const security = stack.children.get('security')!;
const statements = statementsOf(security.data.get('aws_iam_policy_document.controller_task'));
const granted = allowedActions(statements);

/** Code that runs as the pooled workers' task role (`tenantctl pool-worker`), not as the controller's. */
const WORKER_FILES = new Set(['pool/vend.ts', 'compose/pool-worker.ts']);
const everything = scanAwsOperations(join(REPO_ROOT, 'controller'));
const scanned = everything.filter((op) => !WORKER_FILES.has(op.file));
const workerOperations = everything.filter((op) => WORKER_FILES.has(op.file));
const clientsInCode = new Set(scanned.map((op) => op.client));
const planned: AwsOperation[] = Object.entries(PLANNED_OPERATIONS)
  .filter(([client]) => !clientsInCode.has(client))
  .flatMap(([client, operations]) => operations.map((operation) => ({ client, operation, file: `planned, no @aws-sdk/client-${client} call in controller/ yet` })));
const required = requiredActions([...scanned, ...planned]);
const noCode = scanned.length === 0 ? ' [skipped: controller/ issues no AWS operation yet]' : '';

describe('finding the AWS operations in source code', () => {
  const fixture = `
    import { ListSecretsCommand, CreateSecretCommand as Create, type DescribeSecretCommandOutput, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
    import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
    import * as iam from '@aws-sdk/client-iam';
    import { paginateListObjectsV2, PutObjectCommand, DeleteObjectsCommand } from "@aws-sdk/client-s3";
    const client = new SecretsManagerClient({});
    await client.send(new ListSecretsCommand({}));
    await send(new Create({ Name: 'x' }));
    await send(new iam.PutRolePolicyCommand({}));
    for await (const page of paginateListObjectsV2({ client }, { Bucket: 'b' })) {}
    const { RunTaskCommand } = await import('@aws-sdk/client-ecs');
    await ecs.send(new RunTaskCommand({}));
    // await send(new DeleteObjectsCommand({})) is commented out, and PutObjectCommand is imported but never used
  `;

  it('finds named, aliased, namespace, paginator and dynamic imports that the code uses', () => {
    const found = operationsInSource(fixture, 'fixture.ts').map((op) => `${op.client}:${op.operation}`).sort();
    expect(found).toEqual(['ecs:RunTask', 'iam:PutRolePolicy', 's3:ListObjectsV2', 'secrets-manager:CreateSecret', 'secrets-manager:ListSecrets']);
  });

  it('maps operations to IAM actions: renamed ones, dependent ones, and none for free ones', () => {
    const ops = ['s3:ListObjectsV2', 's3:HeadObject', 's3:DeleteObjects', 's3:PutBucketLifecycleConfiguration', 'ecs:RunTask', 'sts:GetCallerIdentity', 'secrets-manager:ListSecrets']
      .map((name) => ({ client: name.split(':')[0], operation: name.split(':')[1], file: 'f.ts' }));
    expect([...requiredActions(ops).keys()].sort()).toEqual([
      'ecs:RunTask', 'ecs:TagResource', 'iam:PassRole', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObject', 's3:ListBucket', 's3:PutLifecycleConfiguration', 'secretsmanager:ListSecrets',
    ]);
    expect(() => requiredActions([{ client: 'kinesis', operation: 'PutRecord', file: 'f.ts' }])).toThrow(/SERVICE_PREFIX/);
  });
});

describe('the controller task role', () => {
  it('is granted only through its inline policy document', () => {
    expect(security.resources.get('aws_iam_role_policy.controller_task')?.policy).toBe('${data.aws_iam_policy_document.controller_task.json}');
    const attachments = [...security.resources].filter(([address, body]) =>
      address.startsWith('aws_iam_role_policy_attachment.') && String(body.role).includes('controller_task'));
    expect(attachments).toEqual([]);
  });

  it.skipIf(scanned.length === 0)(`grants every IAM action the controller code needs${noCode}`, () => {
    const missing = [...required.values()].filter(({ action }) => !granted.includes(action)).map(({ action, neededBy }) => `${action} <- ${neededBy.join(', ')}`);
    expect(missing).toEqual([]);
  });

  it.skipIf(scanned.length === 0)(`grants no IAM action that no controller code needs${noCode}`, () => {
    expect(granted.filter((action) => !required.has(action))).toEqual([]);
  });

  it('grants no wildcard action', () => {
    expect(granted.filter((action) => action.includes('*') || action.includes('?'))).toEqual([]);
  });

  it('grants on every resource only the actions that cannot be scoped to one', () => {
    const broad = statements.filter((s) => s.resources.some((r) => r === '*' || r.endsWith(':*:*')));
    expect(broad.flatMap((s) => s.actions).filter((a) => !UNSCOPABLE.has(a))).toEqual([]);
  });

  it('reaches only the tenant bucket, the tenants/ prefix, the tenant, pool-login and notification secrets paths, the OAuth clients\' secrets and the stack\'s own SNS topics', () => {
    const allowed: Record<string, string[]> = {
      s3: ['${var.tenant_bucket_arn}', '${local.tenant_objects_arn}'],
      secretsmanager: ['*', '${local.tenant_secrets_arn}', '${local.pool_secrets_arn}', '${local.notification_secrets_arn}', '${var.database_secret_arn}', '${local.oauth_client_secret_arns}'],
      sns: ['${local.notification_topics_arn}'],
    };
    for (const statement of statements) {
      const service = statement.actions[0].split(':')[0];
      for (const resource of allowed[service] ? statement.resources : []) expect(allowed[service], statement.sid).toContain(resource);
    }
  });

  it('starts only agent task definitions, only on its own cluster, and watches only that cluster', () => {
    const ecs = statements.filter((s) => s.actions.some((a) => a.startsWith('ecs:')));
    for (const statement of ecs) {
      const scoped = statement.resources.every((r) => ['${local.agent_revisions}', '${local.cluster_tasks}'].includes(r))
        || conditionValue(statement, 'ecs:cluster')?.[0] === '${local.cluster_arn}';
      expect(scoped, statement.sid).toBe(true);
    }
    const runTask = ecs.find((s) => s.actions.includes('ecs:RunTask'))!;
    expect(runTask.resources).toEqual(['${local.agent_revisions}']);
    expect(conditionValue(runTask, 'ecs:cluster')).toEqual(['${local.cluster_arn}']);
    expect(security.locals.get('agent_revisions')).toContain('task-definition/${family}:*');
  });
});

describe("the pooled workers' task role", () => {
  const worker = statementsOf(security.data.get('aws_iam_policy_document.pool_worker'));
  const TENANT_ACCESS = '${aws_iam_role.tenant_access.arn}';

  it('grants exactly the IAM actions the worker code needs, and nothing else', () => {
    expect(workerOperations.map((op) => `${op.file}: ${op.operation}`).sort()).toEqual(['compose/pool-worker.ts: GetSecretValue', 'pool/vend.ts: AssumeRole']);
    expect(allowedActions(worker).sort()).toEqual([...requiredActions(workerOperations).keys()].sort());
    expect(worker.every((s) => s.effect === 'Allow' && s.resources.every((r) => r !== '*'))).toBe(true);
  });

  it('assumes only the tenant-access role, and tags a session only with a non-empty tenant, never transitive', () => {
    const sts = worker.filter((s) => s.actions.some((a) => a.startsWith('sts:')));
    expect(sts.flatMap((s) => s.resources)).toEqual([TENANT_ACCESS, TENANT_ACCESS]);
    const tag = sts.find((s) => s.actions.includes('sts:TagSession'))!;
    expect(tag.actions).toEqual(['sts:TagSession']);
    expect(conditionValue(tag, 'aws:TagKeys')).toEqual(['tenant']);
    expect(conditionValue(tag, 'aws:RequestTag/tenant')).toEqual(['?*']);
    expect(conditionValue(tag, 'sts:TransitiveTagKeys')).toEqual(['true']);
  });

  it("reads only the pool's two database logins", () => {
    const secrets = worker.filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')));
    expect(secrets.flatMap((s) => s.actions)).toEqual(['secretsmanager:GetSecretValue']);
    expect(secrets.flatMap((s) => s.resources).map((r) => r.split(':secret:')[1]).sort()).toEqual(['${var.secrets_prefix}/pool/db-*', '${var.secrets_prefix}/pool/worker-db-*']);
  });
});
