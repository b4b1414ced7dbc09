import { describe, expect, it } from 'vitest';
import { pooledTenantPolicy, tenantRolePolicy } from '../../controller/desired/policy.js';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from '../../controller/desired/tenant.js';
import { normalizePolicy } from '../../controller/resources/iam/policy.js';
import { actionMatches, allowedActions, conditionValue, renderPolicy, statementsOf, type Statement } from './lib/iam.js';
import { allModules, loadStack } from './lib/terraform.js';

const stack = await loadStack();
const security = stack.children.get('security')!;
const boundary = statementsOf(security.data.get('aws_iam_policy_document.tenant_boundary'));
const TENANT_ROLES = '${local.tenant_roles_arn}';

/** Every statement of every policy document in the stack, labelled by where it is. */
const everyStatement: { where: string; statement: Statement }[] = allModules(stack).flatMap((m) =>
  [...m.data].filter(([address]) => address.startsWith('aws_iam_policy_document.'))
    .flatMap(([address, body]) => statementsOf(body).map((statement) => ({ where: `${m.name}: ${address}`, statement }))));

describe('permissions boundary of tenant roles', () => {
  it('allows nothing on IAM and no wildcard action', () => {
    const actions = allowedActions(boundary);
    expect(actions.filter((a) => a.startsWith('iam:') || a.includes('*'))).toEqual([]);
    expect(new Set(actions.map((a) => a.split(':')[0]))).toEqual(new Set(['s3', 'secretsmanager', 'bedrock', 'logs', 'ses']));
  });

  it('caps objects to the tenants/ prefix, listing to the bucket and secrets to the tenant path', () => {
    for (const statement of boundary) {
      const service = statement.actions[0].split(':')[0];
      const listing = statement.actions.every((a) => a === 's3:ListBucket');
      if (service === 's3') expect(statement.resources, statement.sid).toEqual([listing ? '${var.tenant_bucket_arn}' : '${local.tenant_objects_arn}']);
      if (service === 'secretsmanager') expect(statement.resources, statement.sid).toEqual(['${local.tenant_secrets_arn}']);
    }
    expect(security.locals.get('tenant_objects_arn')).toBe('${var.tenant_bucket_arn}/tenants/*');
    expect(security.locals.get('tenant_secrets_arn')).toMatch(/:secret:\$\{var\.secrets_prefix\}\/tenants\/\*$/);
  });

  it('allows every action the controller writes into a tenant role inline policy', () => {
    const inline = tenantRolePolicy('acme', {
      accountId: '123456789012', partition: 'aws', region: 'eu-west-1', bucket: 'tenants', iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw',
      email: { fromAddress: 'digest@mail.example.com', configurationSet: 'openclaw-digests' },
    });
    const granted = inline.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const capped = allowedActions(boundary);
    expect(granted.filter((action) => !capped.some((pattern) => actionMatches(pattern, action)))).toEqual([]);
  });
});

describe('the shared tenant-access role of pooled tenants', () => {
  it('grants in Terraform exactly what pooledTenantPolicy grants, digest email included', () => {
    const ctx = {
      accountId: '123456789012', partition: 'aws', region: 'eu-west-1', bucket: 'tenants', iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw',
      email: { fromAddress: 'digest@mail.example.com', configurationSet: 'openclaw-digests' },
    };
    const terraform = renderPolicy(statementsOf(security.data.get('aws_iam_policy_document.tenant_access')), {
      'local.partition': ctx.partition, 'local.region': ctx.region, 'local.account': ctx.accountId,
      'var.tenant_bucket_arn': `arn:aws:s3:::${ctx.bucket}`, 'var.secrets_prefix': ctx.secretsPrefix,
      'var.ses_from_address': ctx.email.fromAddress,
      'var.ses_configuration_set_arn': `arn:aws:ses:${ctx.region}:${ctx.accountId}:configuration-set/${ctx.email.configurationSet}`,
    });
    expect(normalizePolicy(terraform)).toEqual(normalizePolicy(pooledTenantPolicy(ctx)));
    expect(security.resources.get('aws_iam_role_policy.tenant_access')?.policy).toBe('${data.aws_iam_policy_document.tenant_access.json}');
  });
});

describe('IAM everywhere in the stack', () => {
  it('creates no IAM user and no access key: people and CI get roles', () => {
    const forbidden = allModules(stack).flatMap((m) => [...m.resources.keys()]
      .filter((address) => /^aws_iam_(user|access_key|user_policy|user_login_profile)\./.test(address)));
    expect(forbidden).toEqual([]);
  });

  it('allows iam:CreateRole, iam:PutRolePolicy and iam:PutRolePermissionsBoundary only on tenant roles under the boundary', () => {
    const writes = everyStatement.filter(({ statement }) => statement.effect === 'Allow'
      && statement.actions.some((a) => ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'].includes(a)));
    expect(writes.length).toBeGreaterThan(0);
    for (const { where, statement } of writes) {
      expect(statement.resources, where).toEqual([TENANT_ROLES]);
      expect(conditionValue(statement, 'iam:PermissionsBoundary'), where).toEqual(['${aws_iam_policy.tenant_boundary.arn}']);
    }
    expect(security.locals.get('tenant_roles_arn')).toMatch(/:role\$\{var\.iam_path\}openclaw-tenant-\*$/);
  });

  it('conditions every IAM write on the tenant path and the managed-by tag', () => {
    const WRITES = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePolicy', 'iam:DeleteRole', 'iam:TagRole', 'iam:UntagRole'];
    const managedBy = (statement: Statement) =>
      conditionValue(statement, 'aws:ResourceTag/${local.managed_by_tag}') ?? conditionValue(statement, 'aws:RequestTag/${local.managed_by_tag}');
    const writes = everyStatement.filter(({ where, statement }) => where.startsWith('security') && statement.effect === 'Allow'
      && statement.actions.some((a) => WRITES.includes(a)) && !where.includes('github_apply'));
    expect(writes.map(({ statement }) => statement.sid).sort()).toEqual(['CreateTenantRolesUnderBoundary', 'ManageManagedTenantRoles', 'TagNewTenantRoles', 'WriteManagedTenantRolesUnderBoundary']);
    for (const { where, statement } of writes) {
      expect(statement.resources, where).toEqual([TENANT_ROLES]);
      expect(managedBy(statement), `${where} ${statement.sid}`).toEqual(['${local.managed_by_value}']);
    }
    expect(security.locals.get('managed_by_tag')).toBe(MANAGED_BY_TAG);
    expect(security.locals.get('managed_by_value')).toBe(MANAGED_BY_VALUE);
    const keep = everyStatement.find(({ statement }) => statement.sid === 'KeepManagedByTag')!.statement;
    expect(keep).toMatchObject({ effect: 'Deny', actions: ['iam:UntagRole'] });
    expect(conditionValue(keep, 'aws:TagKeys')).toEqual(['${local.managed_by_tag}']);
  });

  it('allows iam:PassRole only on named roles or tenant roles, and only to ECS tasks', () => {
    const passes = everyStatement.filter(({ statement }) => statement.effect === 'Allow' && statement.actions.includes('iam:PassRole'));
    expect(passes.length).toBeGreaterThan(0);
    for (const { where, statement } of passes) {
      const named = (r: string) => /^\$\{aws_iam_role\.[\w-]+(\["[\w-]+"\])?\.arn\}$/.test(r);
      expect(statement.resources.filter((r) => r !== TENANT_ROLES && !named(r)), where).toEqual([]);
      expect(conditionValue(statement, 'iam:PassedToService'), where).toEqual(['ecs-tasks.amazonaws.com']);
    }
  });

  it('lets GitHub workflows in only through OIDC, each role pinned to one audience and one exact subject', () => {
    const provider = security.resources.get('aws_iam_openid_connect_provider.github');
    expect(provider).toMatchObject({ url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] });
    const [trust] = statementsOf(security.data.get('aws_iam_policy_document.github_trust'));
    expect(trust.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(trust.conditions).toEqual([
      { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:aud', values: ['sts.amazonaws.com'] },
      { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:sub', values: ['${each.value}'] },
    ]);
    const subjects = security.locals.get('github_subjects') as Record<string, string>;
    expect(Object.values(subjects).filter((s) => s.includes('*'))).toEqual([]);
    expect(subjects['terraform-apply']).toBe('repo:${var.github_repository}:environment:${var.github_environment}');
    expect(subjects['terraform-plan']).toBe('repo:${var.github_repository}:environment:${var.github_plan_environment}');
  });

  it('gives the pull-request plan role only reads of what a plan refreshes: no managed policy, no write, no tenant data', () => {
    const attached = [...security.resources.entries()].filter(([address, body]) => address.startsWith('aws_iam_role_policy_attachment.')
      && String((body as { role?: string }).role).includes('terraform-plan'));
    expect(attached).toEqual([]);
    const plan = statementsOf(security.data.get('aws_iam_policy_document.github_plan'));
    const READ = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z*]*$/;
    expect(allowedActions(plan).filter((a) => !READ.test(a))).toEqual([]);
    expect(allowedActions(plan).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    const denied = plan.filter((s) => s.effect === 'Deny');
    expect(denied.flatMap((s) => s.actions).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion', 'secretsmanager:GetSecretValue']);
    expect(security.resources.get('aws_iam_role_policy.github_plan')?.policy).toBe('${data.aws_iam_policy_document.github_plan.json}');
  });
});
