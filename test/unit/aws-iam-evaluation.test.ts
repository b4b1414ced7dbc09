import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { names } from '../../contract/names.js';
import { tenantRolePolicy } from '../../controller/desired/policy.js';
import type { DesiredContext } from '../../controller/desired/types.js';

// Evaluated by an IAM policy evaluator (iam-simulate, a dev-only dependency: AGPL), not by reading
// the JSON: the policy each tenant role gets must allow its own prefix and secrets, and nothing of
// any other tenant. 'acme' and 'acme-eu' share a name prefix on purpose.
const ctx: DesiredContext = {
  accountId: '123456789012', partition: 'aws', region: 'eu-west-1', bucket: 'openclaw-tenants',
  iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw',
};
const TENANTS = ['acme', 'acme-eu', 'globex'];
const PAIRS = TENANTS.flatMap((own) => TENANTS.filter((other) => other !== own).map((other) => [own, other] as const));

const objectArn = (tenant: string, key: string) => `arn:aws:s3:::${ctx.bucket}/${names.s3Prefix(tenant)}${key}`;
const secretArn = (name: string) => `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-AbCdEf`;

async function decide(tenant: string, action: string, resource: string, contextVariables: Record<string, string> = {}): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: `arn:aws:iam::${ctx.accountId}:role${ctx.iamPath}${names.iamRole(tenant)}`,
      action,
      resource: { resource, accountId: ctx.accountId },
      contextVariables,
    },
    identityPolicies: [{ name: 'openclaw-tenant-access', policy: tenantRolePolicy(tenant, ctx) }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('the inline policy of a tenant role, evaluated by an IAM policy evaluator', () => {
  it.each(TENANTS)('lets %s read, write and delete objects under its own prefix', async (tenant) => {
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging']) {
      expect(await decide(tenant, action, objectArn(tenant, 'digests/2025-01-01.json'))).toBe('Allowed');
    }
  });

  it.each(TENANTS)('lets %s read its ownership marker but never write, delete or retag it', async (tenant) => {
    const marker = `arn:aws:s3:::${ctx.bucket}/${names.s3Marker(tenant)}`;
    expect(await decide(tenant, 's3:GetObject', marker)).toBe('Allowed');
    for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersion']) {
      expect(await decide(tenant, action, marker)).toBe('ExplicitlyDenied');
    }
    expect(await decide(tenant, 's3:PutObject', objectArn(tenant, '.openclaw-tenant-notes'))).toBe('Allowed');
  });

  it.each(TENANTS)('lets %s list its own prefix, and only with that prefix', async (tenant) => {
    const bucket = `arn:aws:s3:::${ctx.bucket}`;
    expect(await decide(tenant, 's3:ListBucket', bucket, { 's3:prefix': names.s3Prefix(tenant) })).toBe('Allowed');
    expect(await decide(tenant, 's3:ListBucket', bucket, { 's3:prefix': `${names.s3Prefix(tenant)}digests/` })).toBe('Allowed');
    expect(await decide(tenant, 's3:ListBucket', bucket, { 's3:prefix': 'tenants/' })).not.toBe('Allowed');
    expect(await decide(tenant, 's3:ListBucket', bucket)).not.toBe('Allowed');
  });

  it.each(TENANTS)('lets %s read its own db and integration secrets', async (tenant) => {
    for (const name of [names.dbSecret(ctx.secretsPrefix, tenant), names.integrationSecret(ctx.secretsPrefix, tenant, 'google')]) {
      expect(await decide(tenant, 'secretsmanager:GetSecretValue', secretArn(name))).toBe('Allowed');
      expect(await decide(tenant, 'secretsmanager:DescribeSecret', secretArn(name))).toBe('Allowed');
      expect(await decide(tenant, 'secretsmanager:PutSecretValue', secretArn(name))).not.toBe('Allowed');
    }
  });

  it.each(PAIRS)('denies %s the objects of %s', async (own, other) => {
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
      expect(await decide(own, action, objectArn(other, 'digests/2025-01-01.json'))).not.toBe('Allowed');
    }
  });

  it.each(PAIRS)('denies %s a listing of the prefix of %s', async (own, other) => {
    expect(await decide(own, 's3:ListBucket', `arn:aws:s3:::${ctx.bucket}`, { 's3:prefix': names.s3Prefix(other) })).not.toBe('Allowed');
  });

  it.each(PAIRS)('denies %s the secrets of %s', async (own, other) => {
    for (const name of [names.dbSecret(ctx.secretsPrefix, other), names.integrationSecret(ctx.secretsPrefix, other, 'google')]) {
      expect(await decide(own, 'secretsmanager:GetSecretValue', secretArn(name))).not.toBe('Allowed');
    }
  });
});

describe('the digest email statement of a tenant role, evaluated by an IAM policy evaluator', () => {
  const FROM = 'digest@mail.openclaw.example';
  const withEmail: DesiredContext = { ...ctx, email: { fromAddress: FROM, configurationSet: 'openclaw-digests' } };
  const identity = `arn:aws:ses:${ctx.region}:${ctx.accountId}:identity/mail.openclaw.example`;
  const configurationSet = `arn:aws:ses:${ctx.region}:${ctx.accountId}:configuration-set/openclaw-digests`;
  const sendAs = async (context: DesiredContext, action: string, resource: string, from?: string) => {
    const result = await runSimulation({
      request: {
        principal: `arn:aws:iam::${ctx.accountId}:role${ctx.iamPath}${names.iamRole('acme')}`,
        action,
        resource: { resource, accountId: ctx.accountId },
        contextVariables: from === undefined ? {} : { 'ses:FromAddress': from },
      },
      identityPolicies: [{ name: 'openclaw-tenant-access', policy: tenantRolePolicy('acme', context) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, {});
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };

  it('lets a tenant send as the configured address, through its identity and configuration set', async () => {
    expect(await sendAs(withEmail, 'ses:SendEmail', identity, FROM)).toBe('Allowed');
    expect(await sendAs(withEmail, 'ses:SendEmail', configurationSet, FROM)).toBe('Allowed');
  });

  it('denies sending as any other address, or without one, or through another configuration set', async () => {
    for (const from of ['ceo@mail.openclaw.example', 'digest@attacker.example', 'DIGEST@mail.openclaw.example.evil']) {
      expect(await sendAs(withEmail, 'ses:SendEmail', identity, from)).not.toBe('Allowed');
    }
    expect(await sendAs(withEmail, 'ses:SendEmail', identity)).not.toBe('Allowed');
    expect(await sendAs(withEmail, 'ses:SendEmail', `arn:aws:ses:${ctx.region}:${ctx.accountId}:configuration-set/other`, FROM)).not.toBe('Allowed');
  });

  it('allows no other SES action, and no SES at all when no sender is configured', async () => {
    for (const [action, resource] of [['ses:SendBulkEmail', identity], ['ses:CreateEmailIdentity', identity], ['ses:PutAccountDetails', '*']]) {
      expect(await sendAs(withEmail, action, resource, FROM)).not.toBe('Allowed');
    }
    expect(await sendAs(ctx, 'ses:SendEmail', identity, FROM)).not.toBe('Allowed');
  });
});
