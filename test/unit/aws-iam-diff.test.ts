import { describe, expect, it } from 'vitest';
import type { Isolation } from '../../contract/catalog.js';
import { TIER_TAG } from '../../controller/desired/tenant.js';
import { tenantModels } from '../../controller/engine/models.js';
import { diffIam } from '../../controller/resources/iam/diff.js';
import { mayHoldRole } from '../../controller/resources/iam/observe.js';
import { roleFor, tenant } from './aws-fixtures.js';

const acme = tenant('acme');
const summary = (changes: ReturnType<typeof diffIam>) => changes.map((c) => `${c.action} ${c.resource} ${c.fields.join(',')}${c.conflict ? ' conflict' : ''}`);

describe('the IAM diff', () => {
  it('creates the role, its boundary, tags and inline policy in one change when there is none', () => {
    const [change] = diffIam({ tenant: 'acme', desired: acme, observed: {} });
    expect(change).toMatchObject({ action: 'create', resource: 'role/openclaw-tenant-acme', destructive: false });
    expect(change.detail).toMatchObject({ op: 'create-role', policy: 'openclaw-tenant-access', role: { path: '/openclaw/tenants/', permissionsBoundaryArn: acme.iam.permissionsBoundaryArn, tags: acme.tags } });
  });

  it('plans nothing for a role as IAM returns it: URL-encoded policy, extra tags from other tools', () => {
    expect(diffIam({ tenant: 'acme', desired: acme, observed: { role: roleFor(acme) } })).toEqual([]);
  });

  it('puts the policy back when a statement was added out of band', () => {
    const widened = { ...acme.iam.inlinePolicy, Statement: [...acme.iam.inlinePolicy.Statement, { Effect: 'Allow', Action: '*', Resource: '*' }] };
    const role = roleFor(acme, { inlinePolicies: { [acme.iam.inlinePolicyName]: JSON.stringify(widened) } });
    expect(summary(diffIam({ tenant: 'acme', desired: acme, observed: { role } }))).toEqual(['update role/openclaw-tenant-acme/policy/openclaw-tenant-access policy']);
  });

  it('removes an inline policy the controller did not write', () => {
    const role = roleFor(acme);
    role.inlinePolicies.extra = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    expect(summary(diffIam({ tenant: 'acme', desired: acme, observed: { role } }))).toEqual(['delete role/openclaw-tenant-acme/policy/extra policy']);
  });

  it('restores a removed tag, a changed trust policy and a missing boundary in one role update', () => {
    const { [TIER_TAG]: _tier, ...tags } = acme.tags;
    const role = roleFor(acme, { tags, permissionsBoundaryArn: undefined, assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) });
    const [change] = diffIam({ tenant: 'acme', desired: acme, observed: { role } });
    expect(change).toMatchObject({ action: 'update', resource: 'role/openclaw-tenant-acme', fields: ['trust', 'boundary', 'tags'] });
    expect(change.detail).toMatchObject({ tags: { [TIER_TAG]: 'starter' }, boundary: acme.iam.permissionsBoundaryArn });
  });

  it('updates only the tier tag on a tier change', () => {
    const professional = tenant('acme', { tier: 'professional' });
    expect(summary(diffIam({ tenant: 'acme', desired: professional, observed: { role: roleFor(acme) } }))).toEqual(['update role/openclaw-tenant-acme tags']);
  });

  it('reports a role with the tenant’s name but without the managed-by tag, and plans nothing else', () => {
    const role = roleFor(acme, { tags: {}, inlinePolicies: {} });
    const changes = diffIam({ tenant: 'acme', desired: acme, observed: { role } });
    expect(summary(changes)).toEqual(['noop role/openclaw-tenant-acme  conflict']);
    expect(diffIam({ tenant: 'acme', offboarding: { policy: 'Delete', purge: true }, observed: { role } }).every((c) => c.action === 'noop')).toBe(true);
  });

  it('reports a managed role at another path: IAM cannot move it', () => {
    const [change] = diffIam({ tenant: 'acme', desired: acme, observed: { role: roleFor(acme, { path: '/old/' }) } });
    expect(change.conflict).toMatch(/sits at path \/old\//);
  });

  it('revokes the inline policy but keeps the role under Retain, and during the Delete grace period', () => {
    for (const offboarding of [{ policy: 'Retain' as const, purge: false }, { policy: 'Delete' as const, purge: false }]) {
      const changes = diffIam({ tenant: 'acme', offboarding, observed: { role: roleFor(acme) } });
      expect(summary(changes)).toEqual(['update role/openclaw-tenant-acme/policy/openclaw-tenant-access policy']);
      expect(changes[0].destructive).toBe(false);
    }
    expect(diffIam({ tenant: 'acme', offboarding: { policy: 'Retain', purge: false }, observed: { role: roleFor(acme, { inlinePolicies: {} }) } })).toEqual([]);
  });

  it('deletes the role and its inline policies under Delete after the grace period', () => {
    const [change] = diffIam({ tenant: 'acme', offboarding: { policy: 'Delete', purge: true }, observed: { role: roleFor(acme) } });
    expect(change).toMatchObject({ action: 'delete', destructive: true, detail: { op: 'delete-role', policies: ['openclaw-tenant-access'] } });
  });

  it('plans no role for a pooled tenant, which acts through the shared tenant-access role', () => {
    expect(diffIam({ tenant: 'acme', desired: tenant('acme', { isolation: 'pool' }), observed: {} })).toEqual([]);
  });

  it('deletes the role a tenant had as a silo once it is pooled, without calling it destructive', () => {
    const [change] = diffIam({ tenant: 'acme', desired: tenant('acme', { isolation: 'pool' }), observed: { role: roleFor(acme) } });
    expect(change).toMatchObject({ action: 'delete', destructive: false, resource: 'role/openclaw-tenant-acme', detail: { op: 'delete-role' } });
  });

  it('leaves a role it does not manage alone when its tenant is pooled', () => {
    const foreign = roleFor(acme, { tags: {} });
    expect(diffIam({ tenant: 'acme', desired: tenant('acme', { isolation: 'pool' }), observed: { role: foreign } })).toEqual([]);
  });
});

describe('the IAM lookups of a pass of a few tenants', () => {
  const pool: { isolation: Isolation } = { isolation: 'pool' };
  const silo: { isolation: Isolation } = { isolation: 'silo' };
  const looksUp = (desired: { isolation: Isolation } | undefined, record: { desired: { isolation?: Isolation }; applied: { isolation?: Isolation } | null } | undefined) =>
    mayHoldRole(tenantModels(['acme'], new Map(desired ? [['acme', desired]] : []), new Map(record ? [['acme', record]] : [])).get('acme'));

  it('skips GetRole for a tenant pooled in its desired state, its record and its last full apply: that apply deleted its role', () => {
    expect(looksUp(pool, { desired: pool, applied: pool })).toBe(false);
  });

  it('looks the role up for a silo tenant, one moving between models either way, a new one, and one offboarding', () => {
    expect(looksUp(silo, { desired: silo, applied: silo })).toBe(true);
    expect(looksUp(pool, { desired: silo, applied: silo })).toBe(true);
    expect(looksUp(pool, { desired: pool, applied: silo })).toBe(true);
    expect(looksUp(silo, { desired: pool, applied: pool })).toBe(true);
    expect(looksUp(pool, { desired: pool, applied: null })).toBe(true);
    expect(looksUp(pool, undefined)).toBe(true);
    expect(looksUp(undefined, { desired: pool, applied: pool })).toBe(true);
  });

  it('looks the role up for a tenant recorded before isolation models, whose record names none', () => {
    expect(looksUp(pool, { desired: {}, applied: {} })).toBe(true);
  });
});
