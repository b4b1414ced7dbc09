// A bucket's objects as S3 keeps them: per key, a stack of versions and delete markers, newest first.
// Unversioned buckets hold one version per key with VersionId "null"; once versioning is Enabled every
// write adds a version and a plain delete adds a delete marker; Suspended writes replace the "null"
// version. The current object is the newest entry unless that is a delete marker.
import type { DeleteMarkerEntry, LifecycleRule, Tag, ListObjectVersionsCommandInput, ListObjectVersionsCommandOutput, ObjectVersion } from '@aws-sdk/client-s3';
import type { Out } from './core.js';
import { fail } from './errors.js';
import { ids } from './paging.js';

export interface S3ObjectRecord {
  Key: string;
  body: Buffer;
  ETag: string;
  LastModified: Date;
  ContentType?: string;
  Metadata: Record<string, string>;
  tags: Tag[];
}

export interface S3Version {
  VersionId: string;
  LastModified: Date;
  /** Absent for a delete marker. */
  record?: S3ObjectRecord;
  /** Order of creation in the bucket, so that list markers stay valid after a version is removed. */
  seq: number;
}

export type Versioning = 'Enabled' | 'Suspended';

export const NULL_VERSION = 'null';

export class S3Bucket {
  versioning?: Versioning;
  lifecycle?: LifecycleRule[];
  /** Key → versions and delete markers, newest first. */
  readonly versions = new Map<string, S3Version[]>();
  /** VersionId → creation order, kept after removal (see S3Version.seq). */
  private readonly seqOf = new Map<string, number>();
  private seq = 0;

  constructor(readonly name: string, private readonly random: () => number) {}

  /** The current objects by key (a read-only view: delete-marked and removed keys are absent). */
  get objects(): Map<string, S3ObjectRecord> {
    const current = new Map<string, S3ObjectRecord>();
    for (const [key, stack] of this.versions) if (stack[0]?.record) current.set(key, stack[0].record);
    return current;
  }

  current(key: string): S3Version | undefined {
    return this.versions.get(key)?.[0];
  }

  version(key: string, versionId: string): S3Version | undefined {
    return this.versions.get(key)?.find((v) => v.VersionId === versionId);
  }

  /** Adds `record` (or a delete marker) as the newest version of `key`; returns its VersionId. */
  push(key: string, record: S3ObjectRecord | undefined, at: Date): string {
    const VersionId = this.versioning === 'Enabled' ? ids.alnum(this.random, 32) : NULL_VERSION;
    const stack = (this.versions.get(key) ?? []).filter((v) => v.VersionId !== VersionId);
    const seq = ++this.seq;
    this.seqOf.set(`${key}\0${VersionId}`, seq);
    this.versions.set(key, [{ VersionId, LastModified: at, record, seq }, ...stack]);
    return VersionId;
  }

  /** Removes one version for good; false when there was none. */
  remove(key: string, versionId: string): boolean {
    const stack = this.versions.get(key) ?? [];
    const rest = stack.filter((v) => v.VersionId !== versionId);
    if (rest.length === stack.length) return false;
    if (rest.length === 0) this.versions.delete(key);
    else this.versions.set(key, rest);
    return true;
  }

  /** A plain (unversioned) delete: a delete marker when versioning was ever turned on, else removal. */
  deleteCurrent(key: string, at: Date): { VersionId?: string; DeleteMarker?: boolean } {
    if (!this.versioning) {
      this.remove(key, NULL_VERSION);
      return {};
    }
    return { VersionId: this.push(key, undefined, at), DeleteMarker: true };
  }

  /** ListObjectVersions: key order, newest version first within a key, paginated by key and version markers. */
  listVersions(input: ListObjectVersionsCommandInput): Out<ListObjectVersionsCommandOutput> {
    if (input.Delimiter) fail('NotImplemented', 'aws-double: ListObjectVersions with a delimiter is not implemented', 501);
    if (input.VersionIdMarker !== undefined && input.KeyMarker === undefined) {
      fail('InvalidArgument', 'A version-id marker cannot be specified without a key marker.');
    }
    const prefix = input.Prefix ?? '';
    const maxKeys = Math.min(input.MaxKeys ?? 1000, 1000);
    const keyMarker = input.KeyMarker ?? '';
    const markerSeq = input.VersionIdMarker !== undefined ? this.seqOf.get(`${keyMarker}\0${input.VersionIdMarker}`) : undefined;
    if (input.VersionIdMarker !== undefined && markerSeq === undefined) fail('InvalidArgument', 'Invalid version id specified');
    const after = (key: string, v: S3Version) => key > keyMarker || (markerSeq !== undefined && key === keyMarker && v.seq < markerSeq);
    const entries = [...this.versions.keys()].filter((k) => k.startsWith(prefix)).sort()
      .flatMap((key) => this.versions.get(key)!.map((v, i) => ({ key, v, latest: i === 0 })))
      .filter(({ key, v }) => after(key, v));
    const page = entries.slice(0, maxKeys);
    const truncated = entries.length > maxKeys;
    const last = page[page.length - 1];
    const Versions: ObjectVersion[] = page.filter((e) => e.v.record).map(({ key, v, latest }) => ({
      Key: key, VersionId: v.VersionId, IsLatest: latest, LastModified: new Date(v.LastModified),
      ETag: v.record!.ETag, Size: v.record!.body.length, StorageClass: 'STANDARD',
    }));
    const DeleteMarkers: DeleteMarkerEntry[] = page.filter((e) => !e.v.record).map(({ key, v, latest }) => ({
      Key: key, VersionId: v.VersionId, IsLatest: latest, LastModified: new Date(v.LastModified),
    }));
    return {
      Name: this.name,
      Prefix: prefix,
      KeyMarker: input.KeyMarker,
      VersionIdMarker: input.VersionIdMarker,
      MaxKeys: maxKeys,
      IsTruncated: truncated,
      NextKeyMarker: truncated ? last.key : undefined,
      NextVersionIdMarker: truncated ? last.v.VersionId : undefined,
      Versions: Versions.length ? Versions : undefined,
      DeleteMarkers: DeleteMarkers.length ? DeleteMarkers : undefined,
    };
  }
}
