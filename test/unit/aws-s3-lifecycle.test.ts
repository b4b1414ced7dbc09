import { describe, expect, it } from 'vitest';
import type { LifecycleRule } from '../../controller/providers/apis.js';
import { fromS3Rule, toS3Rule } from '../../controller/providers/aws/lifecycle.js';
import { diffLifecycle, diffS3 } from '../../controller/resources/s3/diff.js';
import { classRule, desiredRules, lifecycleClass, mergeRules, validateRules } from '../../controller/resources/s3/lifecycle.js';
import type { S3PlatformObserved } from '../../controller/resources/s3/observe.js';
import { tenant } from './aws-fixtures.js';

const foreign: LifecycleRule = { id: 'logs-expire', enabled: true, prefix: 'logs/', tags: {}, expirationDays: 30, raw: { ID: 'logs-expire', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 }, NoncurrentVersionExpiration: { NoncurrentDays: 5 } } };
const fleet = [tenant('acme'), tenant('globex', { storage: { archiveAfterDays: 60, expireAfterDays: 730 } }), tenant('initech')];
const platform = (rules: LifecycleRule[]): S3PlatformObserved => ({ bucket: 'openclaw-tenants', rules });
const OWN = ['openclaw-lifecycle-a30-e365', 'openclaw-lifecycle-a60-e730', 'openclaw-noncurrent-versions'];

describe('the bucket lifecycle', () => {
  it('has one rule per distinct (archive, expiry) class, filtered by an object tag under tenants/', () => {
    const rules = desiredRules(fleet);
    expect(rules.map((r) => r.id)).toEqual(OWN);
    expect(rules[0]).toEqual({ id: 'openclaw-lifecycle-a30-e365', enabled: true, prefix: 'tenants/', tags: { 'openclaw-lifecycle': 'a30-e365' }, transitionDays: 30, storageClass: 'GLACIER', expirationDays: 365 });
    expect(lifecycleClass({ archiveAfterDays: 7, expireAfterDays: 90 })).toBe('a7-e90');
  });

  it('expires noncurrent versions and orphaned delete markers under tenants/ in one rule of its own', () => {
    const rule = desiredRules([]).find((r) => r.id === 'openclaw-noncurrent-versions');
    expect(toS3Rule(rule!)).toEqual({
      ID: 'openclaw-noncurrent-versions', Status: 'Enabled', Filter: { Prefix: 'tenants/' },
      Expiration: { ExpiredObjectDeleteMarker: true }, NoncurrentVersionExpiration: { NoncurrentDays: 30 },
    });
    expect({ ...fromS3Rule(toS3Rule(rule!)), raw: undefined }).toEqual({ ...rule, raw: undefined });
  });

  it('validates a configuration before it is put: expiry after transition, positive days, unique IDs, at most 1,000 rules', () => {
    const own = classRule({ archiveAfterDays: 30, expireAfterDays: 365 });
    expect(() => validateRules([...desiredRules(fleet), foreign])).not.toThrow();
    expect(() => validateRules([{ ...own, transitionDays: 400 }])).toThrow(/expiry \(365 days\) is not after the transition \(400 days\)/);
    expect(() => validateRules([{ ...own, expirationDays: 0, transitionDays: undefined }])).toThrow(/not a positive integer/);
    expect(() => validateRules([own, own])).toThrow(/used twice/);
    expect(() => validateRules([{ ...own, expiredObjectDeleteMarker: true }])).toThrow(/cannot also remove expired delete markers/);
    const many = Array.from({ length: 1001 }, (_, i) => classRule({ archiveAfterDays: i + 1, expireAfterDays: 5000 }));
    expect(() => validateRules(many)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED', retryable: false }));
  });

  it('is written as S3 wants it: an And filter of prefix and tag, a Glacier transition and an expiration', () => {
    expect(toS3Rule(classRule({ archiveAfterDays: 30, expireAfterDays: 365 }))).toEqual({
      ID: 'openclaw-lifecycle-a30-e365', Status: 'Enabled',
      Filter: { And: { Prefix: 'tenants/', Tags: [{ Key: 'openclaw-lifecycle', Value: 'a30-e365' }] } },
      Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 },
    });
  });

  it('reads a rule back from S3 into the same meaning, and writes a rule it read back exactly as it was', () => {
    const own = classRule({ archiveAfterDays: 30, expireAfterDays: 365 });
    const read = fromS3Rule(toS3Rule(own));
    expect({ ...read, raw: undefined }).toEqual({ ...own, raw: undefined });
    expect(toS3Rule(fromS3Rule(foreign.raw as never))).toBe(foreign.raw);
  });

  it('plans no fleet-wide change when the controller’s rules match, whatever other rules exist', () => {
    expect(diffLifecycle({ fleet, observed: platform([foreign, ...desiredRules(fleet)]) })).toEqual([]);
  });

  it('plans one fleet-wide update when a rule was deleted out of band', () => {
    const changes = diffLifecycle({ fleet, observed: platform([foreign, desiredRules(fleet)[0]]) });
    expect(changes.map((c) => `${c.action} ${c.resource}`)).toEqual(['update lifecycle/openclaw-tenants']);
    expect(changes[0].after).toEqual({ rules: OWN, otherRules: 1 });
  });

  it('replaces only the controller’s rules when merging, and drops classes no one uses', () => {
    const stale = classRule({ archiveAfterDays: 1, expireAfterDays: 2 });
    const merged = mergeRules([foreign, stale], desiredRules(fleet));
    expect(merged.map((r) => r.id)).toEqual(['logs-expire', ...OWN]);
    expect(merged[0]).toBe(foreign);
  });

  it('refuses more than 1,000 rules as a terminal limit error', () => {
    const others = Array.from({ length: 998 }, (_, i): LifecycleRule => ({ ...foreign, id: `other-${i}` }));
    expect(() => mergeRules(others, desiredRules(fleet))).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED', retryable: false }));
  });
});

describe('the S3 diff of one tenant', () => {
  const acme = tenant('acme');
  const marker = { managed: true, lifecycleClass: 'a30-e365' };

  it('creates the marker, also where objects exist without it', () => {
    expect(diffS3({ tenant: 'acme', desired: acme, observed: { prefixExists: false } })[0]).toMatchObject({ action: 'create', resource: 'prefix/tenants/acme/', fields: [] });
    expect(diffS3({ tenant: 'acme', desired: acme, observed: { prefixExists: true } })[0]).toMatchObject({ action: 'create', fields: ['marker'] });
  });

  it('plans nothing for a managed marker of the right class', () => {
    expect(diffS3({ tenant: 'acme', desired: acme, observed: { prefixExists: true, marker } })).toEqual([]);
  });

  it('retags the objects when the class changes', () => {
    const later = tenant('acme', { storage: { archiveAfterDays: 45, expireAfterDays: 400 } });
    expect(diffS3({ tenant: 'acme', desired: later, observed: { prefixExists: true, marker } })[0]).toMatchObject({ action: 'update', fields: ['lifecycleClass'], detail: { op: 'retag', lifecycleClass: 'a45-e400' } });
  });

  it('reports a marker without the managed-by metadata and never empties its prefix', () => {
    const foreignMarker = { managed: false };
    expect(diffS3({ tenant: 'acme', desired: acme, observed: { prefixExists: true, marker: foreignMarker } })[0]).toMatchObject({ action: 'noop', conflict: expect.stringContaining('not tagged') });
    expect(diffS3({ tenant: 'acme', offboarding: { policy: 'Delete', purge: true }, observed: { prefixExists: true, marker: foreignMarker } })[0]).toMatchObject({ action: 'noop' });
    expect(diffS3({ tenant: 'acme', offboarding: { policy: 'Delete', purge: true }, observed: { prefixExists: true } })[0].conflict).toMatch(/no controller marker/);
  });

  it('empties the prefix only under Delete after the grace period', () => {
    const observed = { prefixExists: true, marker };
    expect(diffS3({ tenant: 'acme', offboarding: { policy: 'Retain', purge: false }, observed })).toEqual([]);
    expect(diffS3({ tenant: 'acme', offboarding: { policy: 'Delete', purge: false }, observed })).toEqual([]);
    expect(diffS3({ tenant: 'acme', offboarding: { policy: 'Delete', purge: true }, observed })[0]).toMatchObject({ action: 'delete', destructive: true, detail: { op: 'empty-prefix', prefix: 'tenants/acme/' } });
  });
});
