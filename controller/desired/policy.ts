import { names } from '../../contract/names.js';
import type { DesiredContext, PolicyDocument, PolicyStatement } from './types.js';

export function ecsTasksTrustPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
}

/**
 * The tenant role's inline policy: its own S3 prefix and its own secrets, nothing else.
 * Per-tenant inline policies (not one ABAC policy) are chosen in docs/ARCHITECTURE.md
 * ("IAM: inline policy per tenant"): explicit ARNs, no reliance on tag integrity, ~1 KB
 * of the 10,240-character inline budget, and no managed-policy quota used.
 */
export function tenantRolePolicy(tenant: string, ctx: DesiredContext): PolicyDocument {
  const prefix = names.s3Prefix(tenant);
  const bucketArn = `arn:${ctx.partition}:s3:::${ctx.bucket}`;
  const secretsArn = `arn:${ctx.partition}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${names.secretsPath(ctx.secretsPrefix, tenant)}*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TenantObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectTagging', 's3:PutObjectTagging'],
        Resource: `${bucketArn}/${prefix}*`,
      },
      {
        // The marker is the controller's: its metadata claims the prefix. A tenant may read it, never
        // write, delete or retag it (an explicit deny wins over the allow above).
        Sid: 'ControllerOwnedKeys',
        Effect: 'Deny',
        Action: ['s3:PutObject*', 's3:DeleteObject*', 's3:RestoreObject'],
        Resource: `${bucketArn}/${names.s3Marker(tenant)}`,
      },
      {
        Sid: 'TenantListing',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } },
      },
      {
        Sid: 'TenantSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: secretsArn,
      },
      {
        // The agents' model (OPENCLAW_BEDROCK_MODEL_ID), within what the permissions boundary allows.
        Sid: 'TenantModels',
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: [`arn:${ctx.partition}:bedrock:*::foundation-model/*`, `arn:${ctx.partition}:bedrock:${ctx.region}:${ctx.accountId}:inference-profile/*`],
      },
      ...(ctx.email ? [digestEmailStatement(ctx, ctx.email)] : []),
    ],
  };
}

/**
 * butler's digest through SES v2 SendEmail, as the configured sender only (`ses:FromAddress`), through
 * the configured configuration set. SES authorizes a send against the sending identity (the address or
 * its domain) and the configuration set, so both are resources.
 */
function digestEmailStatement(ctx: DesiredContext, email: NonNullable<DesiredContext['email']>): PolicyStatement {
  const ses = `arn:${ctx.partition}:ses:${ctx.region}:${ctx.accountId}`;
  return {
    Sid: 'TenantDigestEmail',
    Effect: 'Allow',
    Action: 'ses:SendEmail',
    Resource: [`${ses}:identity/*`, `${ses}:configuration-set/${email.configurationSet ?? '*'}`],
    Condition: { StringEquals: { 'ses:FromAddress': email.fromAddress } },
  };
}

/** The session tag a pooled run's credentials carry, and the policy variable that reads it. */
export const TENANT_SESSION_TAG = 'tenant';
export const TENANT_PRINCIPAL_TAG = '${aws:PrincipalTag/tenant}';

/**
 * The shared tenant-access role's policy (pooled tenants), written once for every tenant: the same
 * statements as a silo tenant's role, with the tenant taken from the session's `tenant` tag. A
 * session without the tag matches no statement (IAM leaves a statement whose variable it cannot
 * resolve out), so it can do nothing.
 */
export function pooledTenantPolicy(ctx: DesiredContext): PolicyDocument {
  return tenantRolePolicy(TENANT_PRINCIPAL_TAG, ctx);
}

/**
 * Who may assume the shared tenant-access role: the pooled workers' role only, and only while
 * tagging the session with `tenant` (sts:TagSession: that key and no other, a non-empty value, and
 * not transitive, so nothing it starts inherits a tenant it could not set itself).
 */
export function pooledTrustPolicy(workerRoleArn: string): PolicyDocument {
  const tagged = { StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: '?*' } };
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'WorkerAssumesForOneTenant', Effect: 'Allow', Principal: { AWS: workerRoleArn }, Action: 'sts:AssumeRole', Condition: tagged },
      {
        Sid: 'WorkerTagsTheTenantOnly', Effect: 'Allow', Principal: { AWS: workerRoleArn }, Action: 'sts:TagSession',
        Condition: { ...tagged, 'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] }, Null: { 'sts:TransitiveTagKeys': 'true' } },
      },
    ],
  };
}
