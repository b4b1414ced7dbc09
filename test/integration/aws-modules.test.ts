import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { names } from '../../contract/names.js';
import { MANAGED_BY_VALUE, TIER_TAG } from '../../controller/desired/tenant.js';
import type { DesiredTenant } from '../../controller/desired/types.js';
import type { TenantManifest } from '../../controller/manifests/types.js';
import { samePolicy } from '../../controller/resources/iam/index.js';
import { parseIntegrationSecret, parsePooledIntegrations, serializeIntegrationSecret, type ConnectedIntegration } from '../../contract/integration-secret.js';
import { IntegrationVault } from '../../controller/resources/secrets/vault.js';
import type { SecretsApi } from '../../controller/providers/types.js';
import { awsBed, converge, exampleManifests, localBed, pass, PURGE_GRACE_MS, withSpec, type TestBed } from './aws-support.js';

const PROVIDERS: [string, () => Promise<TestBed>][] = [['the AWS provider (SDK clients on the AWS double)', () => awsBed()], ['the local provider', localBed]];

async function roleOf(bed: TestBed, tenant: string) {
  return (await bed.provider.iam.listRoles('/')).find((r) => r.name === names.iamRole(tenant));
}

/** The secret store, with every write after the first `writes` failing (a crash of the pass at that point). */
function cutAfter(secrets: SecretsApi, writes: number): { api: SecretsApi; cut: () => boolean } {
  let made = 0;
  let cut = false;
  const write = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (made++ >= writes) {
      cut = true;
      throw new Error('cut');
    }
    return fn(...args);
  };
  return {
    cut: () => cut,
    api: {
      list: (prefix) => secrets.list(prefix),
      getValue: (name) => secrets.getValue(name),
      create: write((name: string, value: string | undefined, tags: Record<string, string>, description?: string) => secrets.create(name, value, tags, description)),
      putValue: write((name: string, value: string) => secrets.putValue(name, value)),
      tag: write((name: string, tags: Record<string, string>) => secrets.tag(name, tags)),
      untag: write((name: string, keys: string[]) => secrets.untag(name, keys)),
      scheduleDeletion: write((name: string, days: number) => secrets.scheduleDeletion(name, days)),
      restore: write((name: string) => secrets.restore(name)),
    },
  };
}

async function secretsOf(bed: TestBed, tenant: string) {
  return bed.provider.secrets.list(`${bed.context.secretsPrefix}/tenants/${tenant}/`);
}

describe.each(PROVIDERS)('the IAM, S3 and secrets modules under the engine, on %s', (_name, makeBed) => {
  let bed: TestBed;
  let manifests: TenantManifest[];
  let desired: DesiredTenant[];

  beforeEach(async () => {
    bed = await makeBed();
    manifests = await exampleManifests();
    desired = bed.desired(manifests);
  });
  afterEach(async () => bed?.close());

  it('converges three tenants from empty, and a second pass makes no writing call', async () => {
    const first = await pass(bed, manifests);
    expect([...first.errors]).toEqual([]);
    expect(first.conflicts).toEqual([]);

    for (const tenant of desired) {
      const role = await roleOf(bed, tenant.name);
      expect(role).toMatchObject({ path: '/openclaw/tenants/', permissionsBoundaryArn: tenant.iam.permissionsBoundaryArn, tags: tenant.tags });
      expect(samePolicy(role!.inlinePolicies[tenant.iam.inlinePolicyName], tenant.iam.inlinePolicy)).toBe(true);
      expect(samePolicy(role!.assumeRolePolicy, tenant.iam.assumeRolePolicy)).toBe(true);
      const secrets = await secretsOf(bed, tenant.name);
      expect(secrets.map((s) => s.name).sort()).toEqual([tenant.secrets.db.name, ...tenant.secrets.integrations.map((i) => i.name)].sort());
      for (const secret of secrets) expect(secret.tags).toMatchObject(tenant.tags);
      expect(JSON.parse((await bed.provider.secrets.getValue(tenant.secrets.db.name))!)).toMatchObject({ username: tenant.postgres.runtimeRole });
      for (const integration of tenant.secrets.integrations) expect(await bed.provider.secrets.getValue(integration.name)).toBeUndefined();
      const marker = await bed.provider.objects.headObject(tenant.s3.markerKey);
      expect(marker?.metadata).toMatchObject({ 'openclaw-managed-by': MANAGED_BY_VALUE, 'openclaw-tenant': tenant.name });
    }
    const rules = await bed.provider.objects.getLifecycle();
    expect(rules.map((r) => r.id).sort()).toEqual(['openclaw-lifecycle-a30-e365', 'openclaw-lifecycle-a60-e730', 'openclaw-lifecycle-a90-e2555', 'openclaw-noncurrent-versions']);

    const writes = bed.writes();
    const second = await pass(bed, manifests);
    expect(second.applied).toEqual([]);
    expect([...second.errors]).toEqual([]);
    expect(bed.writes()).toBe(writes);
  });

  it('a tier change updates only the tags that carry the tier', async () => {
    await converge(bed, manifests);
    const writes = bed.writes();
    const changed = manifests.map((m) => (m.metadata.name === 'acme' ? withSpec(m, { tier: 'professional' }) : m));
    const result = await pass(bed, changed);
    expect(result.applied.map((c) => `${c.tenant} ${c.kind} ${c.resource} ${c.fields.join(',')}`).sort()).toEqual([
      'acme iam role/openclaw-tenant-acme tags',
      'acme secrets secret/openclaw/tenants/acme/db tags',
      'acme secrets secret/openclaw/tenants/acme/integrations/google tags',
    ]);
    expect(bed.writes() - writes).toBe(3);
    expect((await roleOf(bed, 'acme'))!.tags[TIER_TAG]).toBe('professional');
    expect(await converge(bed, changed)).toBe(1);
  });

  it('a storage change moves the tenant to another lifecycle class, retags its objects and drops the unused class', async () => {
    await converge(bed, manifests);
    await bed.provider.objects.putObject('tenants/acme/digests/2025-01-01.json', '{}', {});
    await bed.provider.objects.putObject('tenants/acme/digests/2025-01-02.json', '{}', {});
    const changed = manifests.map((m) => (m.metadata.name === 'acme' ? withSpec(m, { storage: { archiveAfterDays: 45, expireAfterDays: 400 } }) : m));
    const result = await pass(bed, changed);
    expect([...result.errors]).toEqual([]);
    expect(result.applied.map((c) => `${c.tenant} ${c.kind} ${c.resource}`)).toEqual(['shared s3 lifecycle/openclaw-tenants', 'acme s3 prefix/tenants/acme/']);
    // The old class stays until the tenant's new state is applied in full: objects tagged with it keep a rule until retagged.
    const ids = async () => (await bed.provider.objects.getLifecycle()).map((r) => r.id).sort();
    expect(await ids()).toEqual(['openclaw-lifecycle-a30-e365', 'openclaw-lifecycle-a45-e400', 'openclaw-lifecycle-a60-e730', 'openclaw-lifecycle-a90-e2555', 'openclaw-noncurrent-versions']);
    expect(await bed.objectTags('tenants/acme/digests/2025-01-02.json')).toEqual({ 'openclaw-lifecycle': 'a45-e400' });
    expect(await bed.objectTags(names.s3Marker('acme'))).toEqual({});
    expect((await bed.provider.objects.headObject(names.s3Marker('acme')))!.metadata['openclaw-lifecycle']).toBe('a45-e400');
    const next = await pass(bed, changed);
    expect(next.applied.map((c) => `${c.tenant} ${c.kind} ${c.resource}`)).toEqual(['shared s3 lifecycle/openclaw-tenants']);
    expect(await ids()).toEqual(['openclaw-lifecycle-a45-e400', 'openclaw-lifecycle-a60-e730', 'openclaw-lifecycle-a90-e2555', 'openclaw-noncurrent-versions']);
    expect(await converge(bed, changed)).toBe(1);
  });

  it('derives the bucket lifecycle from desired state, never from a marker a tenant rewrote', async () => {
    await converge(bed, manifests);
    const acme = names.s3Marker('acme');
    const head = await bed.provider.objects.headObject(acme);
    // What a tenant role could do before its policy denied writing the marker: claim another class.
    await bed.provider.objects.putObject(acme, '{}', { ...head!.metadata, 'openclaw-lifecycle': 'a400-e30' });
    bed.clock.advance(2 * 3_600_000); // past the marker recheck: the controller reads the marker again
    const result = await pass(bed, manifests);
    expect([...result.errors]).toEqual([]);
    const ids = (await bed.provider.objects.getLifecycle()).map((r) => r.id);
    expect(ids.filter((id) => id.includes('a400'))).toEqual([]);
    expect(result.applied.map((c) => `${c.tenant} ${c.resource}`)).toEqual(['acme prefix/tenants/acme/']);
    expect((await bed.provider.objects.headObject(acme))!.metadata['openclaw-lifecycle']).toBe('a30-e365');
  });

  it('Retain offboarding revokes the role’s access but keeps the role, the secrets and the objects', async () => {
    await converge(bed, manifests);
    await bed.provider.objects.putObject('tenants/acme/report.json', '{}', {});
    const remaining = manifests.filter((m) => m.metadata.name !== 'acme');
    const result = await pass(bed, remaining);
    expect([...result.errors]).toEqual([]);
    expect(result.applied.map((c) => `${c.action} ${c.resource}`)).toEqual(['update role/openclaw-tenant-acme/policy/openclaw-tenant-access']);
    const role = await roleOf(bed, 'acme');
    expect(role?.inlinePolicies).toEqual({});
    expect((await secretsOf(bed, 'acme')).every((s) => s.deletedAt === undefined)).toBe(true);
    expect(await bed.provider.objects.headObject('tenants/acme/report.json')).toBeDefined();
    bed.clock.advance(PURGE_GRACE_MS);
    expect(await converge(bed, remaining)).toBe(1);
    expect(await roleOf(bed, 'acme')).toBeDefined();
  });

  it('Delete offboarding revokes access during the grace period, then deletes the role, schedules the secrets for deletion and empties the prefix', async () => {
    const count = bed.double ? 2_345 : 25;
    await converge(bed, manifests);
    for (let i = 0; i < count; i++) await bed.provider.objects.putObject(`tenants/initech/runs/${String(i).padStart(5, '0')}.json`, '{}', {});
    await bed.provider.objects.putObject('tenants/globex/keep.json', '{}', {});
    const remaining = manifests.filter((m) => m.metadata.name !== 'initech');

    const grace = await pass(bed, remaining);
    expect(grace.applied.map((c) => `${c.action} ${c.resource}`)).toEqual(['update role/openclaw-tenant-initech/policy/openclaw-tenant-access']);
    bed.clock.advance(PURGE_GRACE_MS - 1);
    expect((await pass(bed, remaining)).applied).toEqual([]);

    bed.clock.advance(1);
    const purge = await pass(bed, remaining);
    expect([...purge.errors]).toEqual([]);
    expect(purge.applied.every((c) => c.action === 'delete' && c.destructive)).toBe(true);
    expect(purge.applied.map((c) => c.kind)).toEqual(['s3', 'iam', 'secrets', 'secrets', 'secrets', 'secrets']);
    expect(await roleOf(bed, 'initech')).toBeUndefined();
    const secrets = await secretsOf(bed, 'initech');
    expect(secrets).toHaveLength(4);
    expect(secrets.every((s) => s.deletedAt !== undefined)).toBe(true);
    expect(await bed.provider.objects.listPrefixes('tenants/')).toEqual(['tenants/acme/', 'tenants/globex/']);
    expect(await bed.provider.objects.headObject('tenants/globex/keep.json')).toBeDefined();
    if (bed.double) {
      // Three batches of object versions, then the marker's versions; nothing is left behind.
      expect(bed.double.countsByOperation()['s3:DeleteObjects']).toBe(4);
      expect([...bed.double.state.s3.bucket('openclaw-tenants').versions.keys()].filter((k) => k.startsWith('tenants/initech/'))).toEqual([]);
      expect(bed.double.calls.filter((c) => c.operation === 'DeleteSecret').every((c) => (c.input as { RecoveryWindowInDays?: number }).RecoveryWindowInDays === 7)).toBe(true);
    }
    // Its lifecycle class had no other user: dropped once the tenant is purged.
    const next = await pass(bed, remaining);
    expect(next.applied.map((c) => `${c.tenant} ${c.resource} ${JSON.stringify(c.after)}`)).toEqual([
      'shared lifecycle/openclaw-tenants {"rules":["openclaw-lifecycle-a30-e365","openclaw-lifecycle-a60-e730","openclaw-noncurrent-versions"],"otherRules":0}',
    ]);
    expect(await converge(bed, remaining)).toBe(1);
  });

  it('a tenant that comes back gets its secrets scheduled for deletion restored, with their values', async () => {
    await converge(bed, manifests);
    const initech = desired.find((d) => d.name === 'initech')!;
    const before = await bed.provider.secrets.getValue(initech.secrets.db.name);
    const remaining = manifests.filter((m) => m.metadata.name !== 'initech');
    await pass(bed, remaining);
    bed.clock.advance(PURGE_GRACE_MS);
    await converge(bed, remaining);
    expect((await secretsOf(bed, 'initech')).every((s) => s.deletedAt !== undefined)).toBe(true);
    const result = await pass(bed, manifests);
    expect([...result.errors]).toEqual([]);
    expect(result.applied.filter((c) => c.kind === 'secrets').map((c) => c.fields.join(','))).toEqual(['restore', 'restore', 'restore', 'restore']);
    expect((await secretsOf(bed, 'initech')).every((s) => s.deletedAt === undefined)).toBe(true);
    expect(await bed.provider.secrets.getValue(initech.secrets.db.name)).toBe(before);
    expect(await roleOf(bed, 'initech')).toBeDefined();
    expect(await converge(bed, manifests)).toBe(1);
  });

  it('a tier change folds the integration secrets into the tenant\'s one secret and back, and a move cut at any write loses no token', async () => {
    await converge(bed, manifests);
    const globex = desired.find((d) => d.name === 'globex')!;
    const pooled = manifests.map((m) => (m.metadata.name === 'globex' ? withSpec(m, { isolation: 'pool' }) : m));
    const connected = (provider: 'microsoft' | 'hubspot', version: number): ConnectedIntegration => ({
      provider, accessToken: `${provider}-access`, refreshToken: `${provider}-refresh`, expiresAt: '2026-12-03T10:00:00.000Z',
      scopes: ['read'], account: `it@globex.example`, connectedAt: '2026-12-01T00:00:00.000Z', lastRefreshAt: null, version,
    });
    const tokens = [connected('microsoft', 2), connected('hubspot', 5)];
    for (const value of tokens) await bed.provider.secrets.putValue(names.integrationSecret(bed.context.secretsPrefix, 'globex', value.provider), serializeIntegrationSecret(value));
    const vault = (secrets: SecretsApi) => new IntegrationVault({ secrets, secretsPrefix: bed.context.secretsPrefix, recoveryWindowDays: 7, now: bed.clock.now });
    const nothingLost = async (where: string) => {
      for (const value of tokens) expect(await vault(bed.provider.secrets).current('globex', value.provider), where).toEqual(value);
    };
    const live = async () => (await secretsOf(bed, 'globex')).filter((s) => s.deletedAt === undefined).map((s) => s.name).sort();
    const pooledName = names.pooledSecret(bed.context.secretsPrefix, 'globex');

    // Each round cuts both moves at their n-th write (what a crash of the pass does), then lets the engine's passes finish.
    for (let n = 0, finished = false; !finished; n += 1) {
      const toPool = cutAfter(bed.provider.secrets, n);
      await vault(toPool.api).move('globex', { isolation: 'pool', tags: globex.tags }).catch((error: Error) => expect(error.message).toBe('cut'));
      await nothingLost(`cut at write ${n} into the pool`);
      await converge(bed, pooled);
      expect(await live(), `round ${n}`).toEqual([pooledName]);
      await nothingLost(`pooled after round ${n}`);
      expect(Object.keys(parsePooledIntegrations(await bed.provider.secrets.getValue(pooledName))!.integrations).sort()).toEqual(['hubspot', 'microsoft']);

      const toSilo = cutAfter(bed.provider.secrets, n);
      await vault(toSilo.api).move('globex', { isolation: 'silo', tags: globex.tags }).catch((error: Error) => expect(error.message).toBe('cut'));
      await nothingLost(`cut at write ${n} out of the pool`);
      await converge(bed, manifests);
      expect(await live(), `round ${n}`).toEqual([globex.secrets.db.name, ...globex.secrets.integrations.map((i) => i.name)].sort());
      for (const value of tokens) expect(parseIntegrationSecret(await bed.provider.secrets.getValue(names.integrationSecret(bed.context.secretsPrefix, 'globex', value.provider)))).toEqual(value);
      finished = !toPool.cut() && !toSilo.cut();
    }
  });

  it('finds an added policy statement, a removed tag and a deleted lifecycle rule as drift and corrects them, keeping rules it does not own', async () => {
    await converge(bed, manifests);
    const globex = desired.find((d) => d.name === 'globex')!;
    const widened = { ...globex.iam.inlinePolicy, Statement: [...globex.iam.inlinePolicy.Statement, { Sid: 'Everything', Effect: 'Allow' as const, Action: 's3:*', Resource: '*' }] };
    await bed.provider.iam.putRolePolicy(globex.iam.roleName, globex.iam.inlinePolicyName, JSON.stringify(widened));
    await bed.provider.iam.untagRole(globex.iam.roleName, [TIER_TAG]);
    await bed.provider.secrets.untag(globex.secrets.db.name, [TIER_TAG]);
    const rules = await bed.provider.objects.getLifecycle();
    const foreign = { id: 'logs-expire-30d', enabled: true, prefix: 'logs/', tags: {}, expirationDays: 30 };
    await bed.provider.objects.putLifecycle([...rules.filter((r) => r.id !== 'openclaw-lifecycle-a60-e730'), foreign]);

    const result = await pass(bed, manifests);
    expect([...result.errors]).toEqual([]);
    expect(result.applied.map((c) => `${c.tenant} ${c.kind} ${c.resource} ${c.fields.join(',')}`).sort()).toEqual([
      'globex iam role/openclaw-tenant-globex tags',
      'globex iam role/openclaw-tenant-globex/policy/openclaw-tenant-access policy',
      'globex secrets secret/openclaw/tenants/globex/db tags',
      'shared s3 lifecycle/openclaw-tenants rules',
    ]);
    const role = await roleOf(bed, 'globex');
    expect(samePolicy(role!.inlinePolicies[globex.iam.inlinePolicyName], globex.iam.inlinePolicy)).toBe(true);
    expect(role!.tags[TIER_TAG]).toBe('professional');
    const after = await bed.provider.objects.getLifecycle();
    expect(after.map((r) => r.id).sort()).toEqual(['logs-expire-30d', 'openclaw-lifecycle-a30-e365', 'openclaw-lifecycle-a60-e730', 'openclaw-lifecycle-a90-e2555', 'openclaw-noncurrent-versions']);
    expect(after.find((r) => r.id === 'logs-expire-30d')).toMatchObject({ prefix: 'logs/', expirationDays: 30 });
    expect(await converge(bed, manifests)).toBe(1);
  });

  it('reports a role, a secret and a marker with a tenant’s names but without the managed-by tag, and never touches them', async () => {
    // Offboarded under Delete below: even a purge leaves what is not the controller's alone.
    manifests = manifests.map((m) => (m.metadata.name === 'acme' ? withSpec(m, { deletionPolicy: 'Delete' }) : m));
    const acme = desired.find((d) => d.name === 'acme')!;
    const trust = JSON.stringify(acme.iam.assumeRolePolicy);
    await bed.provider.iam.createRole({ name: acme.iam.roleName, path: '/someone-else/', assumeRolePolicy: trust, tags: { owner: 'data-team' } });
    await bed.provider.secrets.create(acme.secrets.db.name, 'their-value', { owner: 'data-team' });
    await bed.provider.objects.putObject(acme.s3.markerKey, 'theirs', { owner: 'data-team' });
    const result = await pass(bed, manifests);
    expect(result.conflicts.map((c) => `${c.tenant} ${c.kind} ${c.resource}`).sort()).toEqual([
      'acme iam role/openclaw-tenant-acme',
      'acme s3 prefix/tenants/acme/',
      'acme secrets secret/openclaw/tenants/acme/db',
    ]);
    expect(result.conflicts.every((c) => c.action === 'noop' && /not tagged openclaw:managed-by=openclaw-tenant-controller/.test(c.conflict!))).toBe(true);
    expect(result.applied.filter((c) => c.tenant === 'acme').map((c) => c.resource)).toEqual(['secret/openclaw/tenants/acme/integrations/google']);
    const role = await roleOf(bed, 'acme');
    expect(role).toMatchObject({ path: '/someone-else/', inlinePolicies: {}, tags: { owner: 'data-team' } });
    expect(await bed.provider.secrets.getValue(acme.secrets.db.name)).toBe('their-value');
    expect((await bed.provider.secrets.list(acme.secrets.db.name))[0].tags).toEqual({ owner: 'data-team' });
    expect((await bed.provider.objects.headObject(acme.s3.markerKey))!.metadata).toEqual({ owner: 'data-team' });

    const remaining = manifests.filter((m) => m.metadata.name !== 'acme');
    const revoked = await pass(bed, remaining);
    bed.clock.advance(PURGE_GRACE_MS);
    const purged = await pass(bed, remaining);
    expect([...revoked.applied, ...purged.applied].filter((c) => c.tenant === 'acme').map((c) => `${c.action} ${c.resource}`)).toEqual(['delete secret/openclaw/tenants/acme/integrations/google']);
    expect(await roleOf(bed, 'acme')).toBeDefined();
    expect(await bed.provider.objects.headObject(acme.s3.markerKey)).toBeDefined();
  });
});
