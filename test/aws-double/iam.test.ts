import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteRolePermissionsBoundaryCommand,
  EntityAlreadyExistsException,
  GetAccountAuthorizationDetailsCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMServiceException,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListRoles,
  type RoleDetail,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { INLINE_POLICY_QUOTA } from './index.js';
import { TRUST, identityPolicy, rejection, setup } from './fixtures.js';

const BOUNDARY = 'arn:aws:iam::123456789012:policy/openclaw-boundary';
const role = (RoleName: string, extra: Partial<ConstructorParameters<typeof CreateRoleCommand>[0]> = {}) =>
  new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST, Path: '/openclaw/tenants/', ...extra });

describe('IAM double', () => {
  it('creates a role whose ARN carries its path and reads it back by name in any case', async () => {
    const { iam } = setup();
    const created = await iam.send(role('tenant-acme', { Tags: [{ Key: 'tenant', Value: 'acme' }], PermissionsBoundary: BOUNDARY }));
    expect(created.Role?.Arn).toBe('arn:aws:iam::123456789012:role/openclaw/tenants/tenant-acme');
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'TENANT-ACME' }));
    expect(got.Role).toMatchObject({ RoleName: 'tenant-acme', Path: '/openclaw/tenants/', Tags: [{ Key: 'tenant', Value: 'acme' }] });
    expect(got.Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(BOUNDARY);
    expect(got.Role?.CreateDate).toBeInstanceOf(Date);
  });

  it('refuses a second role whose name differs only in case with EntityAlreadyExistsException', async () => {
    const { iam } = setup();
    await iam.send(role('tenant-acme'));
    const error = await rejection(iam.send(role('Tenant-Acme')));
    expect(error).toBeInstanceOf(EntityAlreadyExistsException);
    expect(error).toBeInstanceOf(IAMServiceException);
    expect(error.name).toBe('EntityAlreadyExistsException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toBe('Role with name Tenant-Acme already exists.');
  });

  it('reports a missing role as NoSuchEntityException with status 404', async () => {
    const { iam } = setup();
    const error = await rejection(iam.send(new GetRoleCommand({ RoleName: 'nobody' })));
    expect(error.name).toBe('NoSuchEntityException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('rejects role names over 64 characters or outside the allowed pattern, and bad paths, as ValidationError', async () => {
    const { iam } = setup();
    expect((await rejection(iam.send(role('r'.repeat(65))))).name).toBe('ValidationError');
    expect((await rejection(iam.send(role('has space')))).name).toBe('ValidationError');
    expect((await rejection(iam.send(role('ok', { Path: 'no-slashes' })))).name).toBe('ValidationError');
    await expect(iam.send(role('r'.repeat(64)))).resolves.toBeDefined();
  });

  it('rejects malformed trust and inline policies with IAM messages', async () => {
    const { iam } = setup();
    const bad = await rejection(iam.send(role('r', { AssumeRolePolicyDocument: '{"Version":' })));
    expect(bad.name).toBe('MalformedPolicyDocumentException');
    const withResource = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }] });
    expect((await rejection(iam.send(role('r', { AssumeRolePolicyDocument: withResource })))).message).toBe('Has prohibited field Resource');
    await iam.send(role('r'));
    const put = (PolicyDocument: string) => iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument }));
    expect((await rejection(put(identityPolicy('tenants/a/*')))).message).toBe('Resource tenants/a/* must be in ARN format or "*".');
    expect((await rejection(put(identityPolicy('*', ['GetObject'])))).name).toBe('MalformedPolicyDocumentException');
  });

  it('returns policy documents URL-encoded with reordered keys', async () => {
    const { iam } = setup();
    await iam.send(role('r'));
    const submitted = identityPolicy();
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: submitted }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' }));
    expect(got.PolicyDocument).not.toBe(submitted);
    expect(got.PolicyDocument).toMatch(/^%7B/);
    const decoded = decodeURIComponent(got.PolicyDocument!);
    expect(decoded).not.toBe(submitted);
    expect(Object.keys(JSON.parse(decoded))).toEqual(['Statement', 'Version']);
    expect(JSON.parse(decoded)).toEqual(JSON.parse(submitted));
    const trust = (await iam.send(new GetRoleCommand({ RoleName: 'r' }))).Role!.AssumeRolePolicyDocument!;
    expect(JSON.parse(decodeURIComponent(trust))).toEqual(JSON.parse(TRUST));
    expect(decodeURIComponent(trust)).not.toBe(TRUST);
  });

  it('refuses to delete a role that still has inline policies with DeleteConflictException', async () => {
    const { iam } = setup();
    await iam.send(role('r'));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: identityPolicy() }));
    expect((await rejection(iam.send(new DeleteRoleCommand({ RoleName: 'r' })))).name).toBe('DeleteConflictException');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'r' }));
    expect((await rejection(iam.send(new GetRoleCommand({ RoleName: 'r' })))).name).toBe('NoSuchEntityException');
  });

  it('limits inline policies to 10,240 non-whitespace characters per role with LimitExceededException', async () => {
    const { iam } = setup();
    await iam.send(role('r'));
    const sized = (n: number) => {
      const base = identityPolicy('arn:aws:s3:::b/');
      return base.replace('arn:aws:s3:::b/', 'arn:aws:s3:::b/' + 'x'.repeat(n - base.length));
    };
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'a', PolicyDocument: sized(6000) }));
    // Whitespace does not count: a pretty-printed copy of the same size fits when replacing itself.
    const pretty = JSON.stringify(JSON.parse(sized(6000)), null, 8);
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'a', PolicyDocument: pretty }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'b', PolicyDocument: sized(INLINE_POLICY_QUOTA - 6000) }));
    const error = await rejection(iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'c', PolicyDocument: sized(200) })));
    expect(error.name).toBe('LimitExceededException');
    expect(error.message).toBe('Maximum policy size of 10240 bytes exceeded for role r');
  });

  it('stops creating roles at the account quota with LimitExceededException', async () => {
    const { iam } = setup({ iamMaxRoles: 3 });
    for (const n of ['a', 'b', 'c']) await iam.send(role(n));
    const error = await rejection(iam.send(role('d')));
    expect(error.name).toBe('LimitExceededException');
    expect(error.message).toBe('Cannot exceed quota for RolesPerAccount: 3');
  });

  it('paginates ListRoles under a path prefix with Marker and MaxItems, without tags or boundary', async () => {
    const { iam } = setup();
    for (let i = 0; i < 25; i++) await iam.send(role(`t-${String(i).padStart(2, '0')}`, { Tags: [{ Key: 'tenant', Value: `${i}` }], PermissionsBoundary: BOUNDARY }));
    await iam.send(role('other', { Path: '/elsewhere/' }));
    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/openclaw/', MaxItems: 10 }));
    expect(first.Roles).toHaveLength(10);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeTruthy();
    expect(first.Roles![0]).not.toHaveProperty('Tags');
    expect(first.Roles![0].PermissionsBoundary).toBeUndefined();
    const names: string[] = [];
    for await (const page of paginateListRoles({ client: iam, pageSize: 10 }, { PathPrefix: '/openclaw/tenants/' })) {
      names.push(...page.Roles!.map((r) => r.RoleName!));
    }
    expect(names).toHaveLength(25);
    expect(new Set(names).size).toBe(25);
    const all = await iam.send(new ListRolesCommand({}));
    expect(all.Roles).toHaveLength(26);
    expect(all.IsTruncated).toBe(false);
    expect((await rejection(iam.send(new ListRolesCommand({ MaxItems: 1001 })))).name).toBe('ValidationError');
  });

  it('returns roles with inline policies, tags and boundary from GetAccountAuthorizationDetails, paginated', async () => {
    const { iam } = setup();
    for (let i = 0; i < 5; i++) {
      await iam.send(role(`t${i}`, { Tags: [{ Key: 'tenant', Value: `t${i}` }], PermissionsBoundary: BOUNDARY }));
      await iam.send(new PutRolePolicyCommand({ RoleName: `t${i}`, PolicyName: 'access', PolicyDocument: identityPolicy() }));
    }
    const details: RoleDetail[] = [];
    for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 2 }, { Filter: ['Role'] })) {
      details.push(...page.RoleDetailList!);
    }
    expect(details.map((d) => d.RoleName)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(details[3]).toMatchObject({ Path: '/openclaw/tenants/', Tags: [{ Key: 'tenant', Value: 't3' }], PermissionsBoundary: { PermissionsBoundaryArn: BOUNDARY } });
    expect(JSON.parse(decodeURIComponent(details[3].RolePolicyList![0].PolicyDocument!))).toEqual(JSON.parse(identityPolicy()));
    const users = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }));
    expect(users.RoleDetailList).toEqual([]);
  });

  it('merges, removes and counts role tags, refusing more than 50', async () => {
    const { iam } = setup();
    await iam.send(role('r', { Tags: [{ Key: 'tenant', Value: 'a' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [{ Key: 'tenant', Value: 'b' }, { Key: 'tier', Value: 'pro' }] }));
    await iam.send(new UntagRoleCommand({ RoleName: 'r', TagKeys: ['tier'] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'r' }))).Tags).toEqual([{ Key: 'tenant', Value: 'b' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const error = await rejection(iam.send(new TagRoleCommand({ RoleName: 'r', Tags: many })));
    expect(error.name).toBe('LimitExceededException');
  });

  it('updates the trust policy and puts and deletes the permissions boundary', async () => {
    const { iam } = setup();
    await iam.send(role('r'));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'r', PolicyDocument: trust }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'r', PermissionsBoundary: BOUNDARY }));
    let got = (await iam.send(new GetRoleCommand({ RoleName: 'r' }))).Role!;
    expect(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust));
    expect(got.PermissionsBoundary?.PermissionsBoundaryType).toBe('PermissionsBoundaryPolicy');
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'r' }));
    got = (await iam.send(new GetRoleCommand({ RoleName: 'r' }))).Role!;
    expect(got.PermissionsBoundary).toBeUndefined();
    expect((await rejection(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'r', PermissionsBoundary: 'nope' })))).name).toBe('InvalidInputException');
  });

  it('hides a new role from reads, and keeps a deleted one visible, for the eventual-consistency window', async () => {
    const { iam, clock } = setup({ eventualConsistencyMs: 5_000 });
    await iam.send(role('r'));
    expect((await rejection(iam.send(new GetRoleCommand({ RoleName: 'r' })))).name).toBe('NoSuchEntityException');
    expect((await iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
    expect((await rejection(iam.send(role('r')))).name).toBe('EntityAlreadyExistsException');
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: identityPolicy() }));
    clock.advance(5_000);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'r' }))).Role?.RoleName).toBe('r');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'r' }))).PolicyNames).toEqual(['p']);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'r' }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'r' }))).Role?.RoleName).toBe('r');
    clock.advance(5_000);
    expect((await rejection(iam.send(new GetRoleCommand({ RoleName: 'r' })))).name).toBe('NoSuchEntityException');
  });

  it('lets tests change a role out of band through the state', async () => {
    const { iam, double } = setup();
    await iam.send(role('r', { Tags: [{ Key: 'managed-by', Value: 'openclaw' }] }));
    const record = double.state.iam.role('r')!;
    record.Tags = [];
    record.policies.set('extra', identityPolicy('*', ['s3:*']));
    const got = await iam.send(new GetRoleCommand({ RoleName: 'r' }));
    expect(got.Role).not.toHaveProperty('Tags');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'r' }))).PolicyNames).toEqual(['extra']);
  });
});
