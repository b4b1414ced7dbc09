/**
 * Fingerprints of what a tenant's record holds, and what a pass makes of a record it knows only by
 * them (pure). A record whose fingerprints are the revision's says nothing the revision does not: its
 * desired state is the revision's, its applied state that or none. Only the others are read in full.
 */
import { createHash } from 'node:crypto';
import { ProgrammingError } from '../../contract/errors.js';
import { desiredTenant } from '../desired/tenant.js';
import type { DesiredContext, DesiredTenant } from '../desired/types.js';
import type { TenantManifest } from '../manifests/types.js';
import type { KnownTenant, RecordFingerprints, TenantSummary } from '../status/store.js';

export function fingerprintOf(value: unknown): string {
  // The first 8 bytes as hex, written as a string of their own: a slice of the whole digest's hex would keep all 64 characters alive.
  return createHash('sha256').update(JSON.stringify(value)).digest().toString('hex', 0, 8);
}

const fingerprinted = new WeakMap<object, string>();

function once(value: object): string {
  let fingerprint = fingerprinted.get(value);
  if (fingerprint === undefined) fingerprinted.set(value, (fingerprint = fingerprintOf(value)));
  return fingerprint;
}

/** fingerprintOf a desired state, once per object (see deriveDesired). */
export function desiredFingerprint(desired: DesiredTenant): string {
  return once(desired);
}

/** The fingerprint of each manifest's desired state, by the manifest object (the snapshot keeps those between passes). */
const byManifest = new WeakMap<TenantManifest, { ctx: DesiredContext; fingerprint: string }>();

/**
 * desiredTenant, derived anew: a pass holds the desired states it derives while it runs, never between
 * passes (a kilobyte or two a tenant). Its fingerprint is remembered by the manifest, so the next pass,
 * and the loop looking for what a revision changed, do not hash an unchanged manifest's state again.
 */
export function deriveDesired(manifest: TenantManifest, ctx: DesiredContext): DesiredTenant {
  const desired = desiredTenant(manifest, ctx);
  const memo = byManifest.get(manifest);
  if (memo?.ctx === ctx) fingerprinted.set(desired, memo.fingerprint);
  else byManifest.set(manifest, { ctx, fingerprint: once(desired) });
  return desired;
}

/** desiredFingerprint of a manifest's desired state, derived only when the manifest was not seen before. */
export function manifestDesiredFingerprint(manifest: TenantManifest, ctx: DesiredContext): string {
  const memo = byManifest.get(manifest);
  return memo?.ctx === ctx ? memo.fingerprint : desiredFingerprint(deriveDesired(manifest, ctx));
}

/** A desired state, or what a pass keeps of one once it is planned (see PlannedTenant), its fingerprint with it. */
export type DesiredLike = DesiredTenant | { fingerprint: string };

/** desiredFingerprint of a desired state, or the one a pass kept of it. */
export function fingerprintOfDesired(desired: DesiredLike): string {
  return 'fingerprint' in desired ? desired.fingerprint : desiredFingerprint(desired);
}

/** What is recorded beside a tenant's manifest and desired state; the manifest's once per object, as the snapshot keeps them. */
export function recordFingerprints(manifest: TenantManifest, desired: DesiredLike): RecordFingerprints {
  return { manifest: once(manifest), desired: fingerprintOfDesired(desired) };
}

/**
 * Does a pass need the tenant's documents? Not when its record's desired state is the revision's and
 * its applied state that or none; yes when its manifest is gone, its desired state changed, its
 * applied state is another, or it was recorded before fingerprints. A purged tenant's record says nothing.
 */
export function needsRecord(summary: TenantSummary, desired: DesiredLike | undefined): boolean {
  if (summary.lifecycle === 'Purged') return false;
  if (!desired || summary.desiredFingerprint === null) return true;
  return summary.desiredFingerprint !== fingerprintOfDesired(desired) || summary.appliedState === 'other';
}

/**
 * The recorded desired and applied states of a tenant: from its record when it was read (needsRecord),
 * else from the revision's desired state, which its fingerprints say they are.
 */
export function rememberedOf<D extends DesiredLike>(summary: TenantSummary, records: ReadonlyMap<string, KnownTenant>, desired: D | undefined): { desired: D | DesiredTenant; applied: D | DesiredTenant | null } {
  const record = records.get(summary.name);
  if (record) return { desired: record.desired, applied: record.applied };
  if (!desired || needsRecord(summary, desired)) throw new ProgrammingError(`tenant ${summary.name}: its record was needed and not read`);
  return { desired, applied: summary.appliedState === 'none' ? null : desired };
}

/** The isolation models a record says a tenant had, as planned and as applied in full (see tenantModels); a purged record says none applied. */
export function recordedModels(summary: TenantSummary, records: ReadonlyMap<string, KnownTenant>, desired: (DesiredLike & Pick<DesiredTenant, 'isolation'>) | undefined): { desired: Pick<DesiredTenant, 'isolation'>; applied: Pick<DesiredTenant, 'isolation'> | null } {
  if (summary.lifecycle === 'Purged') return { desired: { isolation: summary.isolation }, applied: null };
  const { applied } = rememberedOf(summary, records, desired);
  return { desired: { isolation: summary.isolation }, applied: applied && { isolation: applied.isolation } };
}

/** `items` in pages of `size` (the last one shorter): reads of many tenants go a page at a time. */
export function pages<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new ProgrammingError(`page size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
