import { describe, expect, it } from 'vitest';
import { TIER_TAG } from '../../controller/desired/tenant.js';
import type { SecretRecord } from '../../controller/providers/types.js';
import { diffSecrets } from '../../controller/resources/secrets/diff.js';
import { tenant } from './aws-fixtures.js';

const acme = tenant('acme', { integrations: [{ provider: 'google' }, { provider: 'slack' }] });
const record = (name: string, tags: Record<string, string> = acme.tags, extra: Partial<SecretRecord> = {}): SecretRecord => ({ name, arn: `arn:${name}`, tags: { ...tags }, ...extra });
const all = () => [record(acme.secrets.db.name, { ...acme.tags, 'openclaw:credential-fingerprint': 'abc' }), ...acme.secrets.integrations.map((i) => record(i.name))];
const summary = (changes: ReturnType<typeof diffSecrets>) => changes.map((c) => `${c.action} ${c.resource} ${String(c.detail?.op ?? '')}${c.fields.length ? ` ${c.fields.join(',')}` : ''}${c.conflict ? ' conflict' : ''}`);

describe('the secrets diff', () => {
  it('creates the db secret from the credential store and one placeholder per integration', () => {
    expect(summary(diffSecrets({ tenant: 'acme', desired: acme, observed: { secrets: [] } }))).toEqual([
      'create secret/openclaw/tenants/acme/db create-db',
      'create secret/openclaw/tenants/acme/integrations/google create-placeholder',
      'create secret/openclaw/tenants/acme/integrations/slack create-placeholder',
    ]);
  });

  it('plans nothing when every secret exists with its tags, whatever other tags it carries', () => {
    expect(diffSecrets({ tenant: 'acme', desired: acme, observed: { secrets: all() } })).toEqual([]);
  });

  it('restores a removed tag', () => {
    const secrets = all();
    delete secrets[1].tags[TIER_TAG];
    expect(summary(diffSecrets({ tenant: 'acme', desired: acme, observed: { secrets } }))).toEqual(['update secret/openclaw/tenants/acme/integrations/google update tags']);
  });

  it('restores a secret scheduled for deletion when its tenant is back', () => {
    const secrets = all();
    secrets[0].deletedAt = 1;
    expect(summary(diffSecrets({ tenant: 'acme', desired: acme, observed: { secrets } }))).toEqual(['update secret/openclaw/tenants/acme/db update restore']);
  });

  it('reports a secret with the tenant’s name but without the managed-by tag and never plans to touch it', () => {
    const secrets = all();
    secrets[2] = record(secrets[2].name, { owner: 'someone' });
    const planned = diffSecrets({ tenant: 'acme', desired: acme, observed: { secrets } });
    expect(summary(planned)).toEqual(['noop secret/openclaw/tenants/acme/integrations/slack  conflict']);
    expect(summary(diffSecrets({ tenant: 'acme', offboarding: { policy: 'Delete', purge: true }, observed: { secrets } })).filter((s) => s.includes('slack'))).toEqual(['noop secret/openclaw/tenants/acme/integrations/slack  conflict']);
  });

  it('keeps everything under Retain and during the Delete grace period', () => {
    expect(diffSecrets({ tenant: 'acme', offboarding: { policy: 'Retain', purge: false }, observed: { secrets: all() } })).toEqual([]);
    expect(diffSecrets({ tenant: 'acme', offboarding: { policy: 'Delete', purge: false }, observed: { secrets: all() } })).toEqual([]);
  });

  it('schedules every managed secret for deletion under Delete after the grace period, once', () => {
    const secrets = all();
    secrets[1].deletedAt = 1;
    const planned = diffSecrets({ tenant: 'acme', offboarding: { policy: 'Delete', purge: true }, observed: { secrets } });
    expect(summary(planned)).toEqual(['delete secret/openclaw/tenants/acme/db schedule-deletion', 'delete secret/openclaw/tenants/acme/integrations/slack schedule-deletion']);
    expect(planned.every((c) => c.destructive)).toBe(true);
  });

  it('keeps the secret of a removed integration under Retain and schedules it for deletion under Delete', () => {
    const onlyGoogle = tenant('acme');
    expect(diffSecrets({ tenant: 'acme', desired: onlyGoogle, observed: { secrets: all() } })).toEqual([]);
    const deleting = tenant('acme', { deletionPolicy: 'Delete' });
    const secrets = all().map((s) => ({ ...s, tags: { ...s.tags, 'openclaw:tier': 'starter' } }));
    expect(summary(diffSecrets({ tenant: 'acme', desired: deleting, observed: { secrets } }))).toEqual(['delete secret/openclaw/tenants/acme/integrations/slack schedule-deletion']);
  });

  it('creates no secret for a pooled tenant: onboarding makes its one secret when it first connects', () => {
    const pooled = tenant('acme', { isolation: 'pool', integrations: [{ provider: 'google' }, { provider: 'slack' }] });
    expect(diffSecrets({ tenant: 'acme', desired: pooled, observed: { secrets: [] } })).toEqual([]);
  });

  it('schedules the db secret of a tenant that became pooled for deletion and folds its integration secrets into one', () => {
    const pooled = tenant('acme', { isolation: 'pool', integrations: [{ provider: 'google' }, { provider: 'slack' }] });
    const planned = diffSecrets({ tenant: 'acme', desired: pooled, observed: { secrets: all() } });
    expect(summary(planned)).toEqual([
      'update secret/openclaw/tenants/acme/integrations move-integrations integrations',
      'delete secret/openclaw/tenants/acme/db schedule-deletion',
    ]);
    expect(planned[0]).toMatchObject({ destructive: false, before: { integrations: 'openclaw/tenants/acme/integrations/google' } });
  });

  it('spreads a pooled tenant\'s one secret out again when it becomes a silo, after making its placeholders', () => {
    const secrets = [record('openclaw/tenants/acme/integrations')];
    expect(summary(diffSecrets({ tenant: 'acme', desired: acme, observed: { secrets } }))).toEqual([
      'create secret/openclaw/tenants/acme/db create-db',
      'create secret/openclaw/tenants/acme/integrations/google create-placeholder',
      'create secret/openclaw/tenants/acme/integrations/slack create-placeholder',
      'delete secret/openclaw/tenants/acme/integrations move-integrations integrations',
    ]);
    const deleting = { ...acme, deletionPolicy: 'Delete' as const };
    expect(summary(diffSecrets({ tenant: 'acme', desired: deleting, observed: { secrets: [...all(), record('openclaw/tenants/acme/integrations', acme.tags, { deletedAt: 1 })] } }))).toEqual([]);
  });
});
