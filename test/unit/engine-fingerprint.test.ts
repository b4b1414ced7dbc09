import { describe, expect, it } from 'vitest';
import { desiredFingerprint, needsRecord, pages, rememberedOf } from '../../controller/engine/fingerprint.js';
import type { KnownTenant, TenantSummary } from '../../controller/status/store.js';
import { tenant } from './aws-fixtures.js';

const acme = tenant('acme');

function summary(overrides: Partial<TenantSummary> = {}): TenantSummary {
  return {
    name: 'acme', deletionPolicy: 'Retain', revision: 'r1', generation: 1, lifecycle: 'Active', offboardedAt: null, purgeAfter: null,
    manifestFingerprint: 'm', desiredFingerprint: desiredFingerprint(acme), appliedState: 'desired',
    manifestIsolation: 'silo', tier: 'starter', isolation: 'silo', ...overrides,
  };
}

describe('what a pass reads of a tenant it knows by fingerprints', () => {
  it('gives the same fingerprint to equal desired states derived twice, and another to a changed one', () => {
    expect(desiredFingerprint(tenant('acme'))).toBe(desiredFingerprint(tenant('acme')));
    expect(desiredFingerprint(tenant('acme', { displayName: 'Acme Renamed' }))).not.toBe(desiredFingerprint(acme));
    expect(desiredFingerprint(tenant('acme', { storage: { archiveAfterDays: 60, expireAfterDays: 365 } }))).not.toBe(desiredFingerprint(acme));
  });

  it('needs no record for a tenant whose recorded desired state is the revision\'s and was applied, or never applied', () => {
    expect(needsRecord(summary(), acme)).toBe(false);
    expect(needsRecord(summary({ appliedState: 'none' }), acme)).toBe(false);
  });

  it('needs the record when the desired state changed, the applied state is another, the manifest is gone or the record predates fingerprints', () => {
    expect(needsRecord(summary(), tenant('acme', { displayName: 'Acme Renamed' }))).toBe(true);
    expect(needsRecord(summary({ appliedState: 'other' }), acme)).toBe(true);
    expect(needsRecord(summary(), undefined)).toBe(true);
    expect(needsRecord(summary({ desiredFingerprint: null }), acme)).toBe(true);
    expect(needsRecord(summary({ lifecycle: 'Retained' }), undefined)).toBe(true);
  });

  it('never needs a purged tenant\'s record', () => {
    expect(needsRecord(summary({ lifecycle: 'Purged' }), undefined)).toBe(false);
    expect(needsRecord(summary({ lifecycle: 'Purged', desiredFingerprint: null }), acme)).toBe(false);
  });

  it('takes the recorded states from the record read, else from the revision\'s desired state', () => {
    const before = tenant('acme', { displayName: 'Acme Before' });
    const record: KnownTenant = { ...summary({ appliedState: 'other' }), manifest: { apiVersion: 'openclaw.io/v1alpha1', kind: 'Tenant', metadata: { name: 'acme' }, spec: { displayName: 'Acme Before', contact: { email: 'ops@acme.example' }, tier: 'starter', suspended: false, deletionPolicy: 'Retain', agents: [], integrations: [], storage: { archiveAfterDays: 30, expireAfterDays: 365 }, costAllocationTags: {} } }, desired: acme, applied: before };
    expect(rememberedOf(summary({ appliedState: 'other' }), new Map([['acme', record]]), acme)).toEqual({ desired: acme, applied: before });
    expect(rememberedOf(summary(), new Map(), acme)).toEqual({ desired: acme, applied: acme });
    expect(rememberedOf(summary({ appliedState: 'none' }), new Map(), acme)).toEqual({ desired: acme, applied: null });
  });

  it('refuses to guess a record that was needed and not read', () => {
    expect(() => rememberedOf(summary(), new Map(), undefined)).toThrow(/record was needed and not read/);
    expect(() => rememberedOf(summary({ appliedState: 'other' }), new Map(), acme)).toThrow(/record was needed and not read/);
  });
});

describe('reading many tenants a page at a time', () => {
  it('cuts a list into full pages and a shorter last one, and an empty list into none', () => {
    expect(pages([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(pages([1, 2, 3, 4], 2)).toEqual([[1, 2], [3, 4]]);
    expect(pages([1], 1000)).toEqual([[1]]);
    expect(pages([], 3)).toEqual([]);
  });

  it('refuses a page size that is not a positive integer', () => {
    expect(() => pages([1], 0)).toThrow(/positive integer/);
    expect(() => pages([1], 1.5)).toThrow(/positive integer/);
  });
});
