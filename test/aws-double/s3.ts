// S3 over in-memory buckets: objects with tags and metadata, versioning (versions, delete markers,
// ListObjectVersions), ListObjectsV2 with delimiters and continuation tokens, batch deletes, and bucket
// lifecycle configuration.
import type * as S from '@aws-sdk/client-s3';
import type { Out, ServiceHandlers } from './core.js';
import type { Env } from './options.js';
import { fail } from './errors.js';
import { etagOf, sdkBody, toBuffer } from './s3-body.js';
import { validateLifecycle } from './s3-lifecycle.js';
import { listObjects } from './s3-list.js';
import { S3Bucket, type S3ObjectRecord, type S3Version, type Versioning } from './s3-versions.js';

export { S3Bucket, type S3ObjectRecord, type S3Version, type Versioning } from './s3-versions.js';

export class S3State {
  readonly buckets = new Map<string, S3Bucket>();
  constructor(private readonly random: () => number = Math.random) {}
  createBucket(name: string, options: { versioning?: Versioning } = {}): S3Bucket {
    const bucket = this.buckets.get(name) ?? new S3Bucket(name, this.random);
    if (options.versioning) bucket.versioning = options.versioning;
    this.buckets.set(name, bucket);
    return bucket;
  }
  bucket(name: string | undefined): S3Bucket {
    return this.buckets.get(String(name)) ?? fail('NoSuchBucket', 'The specified bucket does not exist', 404);
  }
}

const MAX_OBJECT_TAGS = 10;

export function parseTagging(tagging: string | undefined): S.Tag[] {
  return checkObjectTags([...new URLSearchParams(tagging ?? '')].map(([Key, Value]) => ({ Key, Value })));
}

function checkObjectTags(tags: S.Tag[]): S.Tag[] {
  if (tags.length > MAX_OBJECT_TAGS) fail('BadRequest', `Object tags cannot be greater than ${MAX_OBJECT_TAGS}`);
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    if (!Key || Key.length > 128 || (Value ?? '').length > 256) fail('InvalidTag', 'The TagKey or TagValue you have provided is invalid');
    if (keys.has(Key)) fail('InvalidTag', 'Cannot provide multiple Tags with the same key');
    keys.add(Key);
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

export function s3Handlers(state: S3State, env: Env): ServiceHandlers {
  /** The current object, or the version asked for; a delete marker reads as a missing key. */
  const found = (bucket: string | undefined, key: string | undefined, versionId?: string) => {
    const b = state.bucket(bucket);
    const version = versionId !== undefined ? b.version(String(key), versionId) : b.current(String(key));
    if (versionId !== undefined && !version) fail('NoSuchVersion', 'The specified version does not exist.', 404);
    if (!version?.record) fail('NoSuchKey', 'The specified key does not exist.', 404);
    return { record: version.record, version };
  };
  const object = (bucket: string | undefined, key: string | undefined, versionId?: string) => found(bucket, key, versionId).record;

  return {
    async PutObject(input: S.PutObjectCommandInput): Promise<Out<S.PutObjectCommandOutput>> {
      const bucket = state.bucket(input.Bucket);
      if (!input.Key) fail('InvalidArgument', 'Key must not be empty');
      if (Buffer.byteLength(input.Key) > 1024) fail('KeyTooLongError', 'Your key is too long');
      const tags = parseTagging(input.Tagging);
      const body = await toBuffer(input.Body);
      const Metadata = Object.fromEntries(Object.entries(input.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const LastModified = new Date(env.now());
      const record = { Key: input.Key, body, ETag: etagOf(body), LastModified, ContentType: input.ContentType, Metadata, tags };
      const VersionId = bucket.push(input.Key, record, LastModified);
      return { ETag: record.ETag, Size: body.length, VersionId: bucket.versioning ? VersionId : undefined };
    },
    GetObject(input: S.GetObjectCommandInput): Out<S.GetObjectCommandOutput> {
      const o = object(input.Bucket, input.Key, input.VersionId);
      return { Body: sdkBody(o.body), ...head(o) };
    },
    HeadObject(input: S.HeadObjectCommandInput): Out<S.HeadObjectCommandOutput> {
      const b = state.buckets.get(String(input.Bucket));
      const found = input.VersionId !== undefined ? b?.version(String(input.Key), input.VersionId) : b?.current(String(input.Key));
      if (!found?.record) fail('NotFound', 'Not Found', 404); // a HEAD response has no body, so no NoSuchKey/NoSuchBucket
      return { ...head(found.record), ...versionOf(found) };
    },
    DeleteObject(input: S.DeleteObjectCommandInput): Out<S.DeleteObjectCommandOutput> {
      return deleteOne(state.bucket(input.Bucket), String(input.Key), input.VersionId, new Date(env.now()));
    },
    DeleteObjects(input: S.DeleteObjectsCommandInput): Out<S.DeleteObjectsCommandOutput> {
      const bucket = state.bucket(input.Bucket);
      const objects = input.Delete?.Objects ?? [];
      if (objects.length === 0 || objects.length > 1000) {
        malformed();
      }
      const at = new Date(env.now());
      const Deleted = objects.map(({ Key, VersionId }) => ({ Key, ...deleteOne(bucket, String(Key), VersionId, at) }))
        .map(({ Key, VersionId, DeleteMarker }) => ({ Key, VersionId, DeleteMarker, DeleteMarkerVersionId: DeleteMarker ? VersionId : undefined }));
      return input.Delete?.Quiet ? {} : { Deleted };
    },
    ListObjectVersions(input: S.ListObjectVersionsCommandInput): Out<S.ListObjectVersionsCommandOutput> {
      return state.bucket(input.Bucket).listVersions(input);
    },
    PutBucketVersioning(input: S.PutBucketVersioningCommandInput): Out<S.PutBucketVersioningCommandOutput> {
      const bucket = state.bucket(input.Bucket);
      const status = input.VersioningConfiguration?.Status;
      if (status !== 'Enabled' && status !== 'Suspended') malformed();
      bucket.versioning = status;
      return {};
    },
    GetBucketVersioning(input: S.GetBucketVersioningCommandInput): Out<S.GetBucketVersioningCommandOutput> {
      return { Status: state.bucket(input.Bucket).versioning };
    },
    ListObjectsV2(input: S.ListObjectsV2CommandInput): Out<S.ListObjectsV2CommandOutput> {
      const bucket = state.bucket(input.Bucket);
      return listObjects(bucket, input);
    },
    GetObjectTagging(input: S.GetObjectTaggingCommandInput): Out<S.GetObjectTaggingCommandOutput> {
      const { record, version } = found(input.Bucket, input.Key, input.VersionId);
      return { TagSet: record.tags.map((t) => ({ ...t })), ...versionOf(version) };
    },
    PutObjectTagging(input: S.PutObjectTaggingCommandInput): Out<S.PutObjectTaggingCommandOutput> {
      const { record, version } = found(input.Bucket, input.Key, input.VersionId);
      record.tags = checkObjectTags(input.Tagging?.TagSet ?? []);
      return versionOf(version);
    },
    DeleteObjectTagging(input: S.DeleteObjectTaggingCommandInput): Out<S.DeleteObjectTaggingCommandOutput> {
      object(input.Bucket, input.Key).tags = [];
      return {};
    },
    GetBucketLifecycleConfiguration(
      input: S.GetBucketLifecycleConfigurationCommandInput,
    ): Out<S.GetBucketLifecycleConfigurationCommandOutput> {
      const rules = state.bucket(input.Bucket).lifecycle;
      if (!rules) fail('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404);
      return { Rules: structuredClone(rules) };
    },
    PutBucketLifecycleConfiguration(
      input: S.PutBucketLifecycleConfigurationCommandInput,
    ): Out<S.PutBucketLifecycleConfigurationCommandOutput> {
      const bucket = state.bucket(input.Bucket);
      bucket.lifecycle = validateLifecycle(input.LifecycleConfiguration?.Rules, env.random);
      return {};
    },
    DeleteBucketLifecycle(input: S.DeleteBucketLifecycleCommandInput): Out<S.DeleteBucketLifecycleCommandOutput> {
      state.bucket(input.Bucket).lifecycle = undefined;
      return {};
    },
  };
}

function malformed(): never {
  fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

/** DeleteObject: a version removed for good, or (no VersionId) a delete marker in a versioned bucket. */
function deleteOne(bucket: S3Bucket, key: string, versionId: string | undefined, at: Date): { VersionId?: string; DeleteMarker?: boolean } {
  if (versionId === undefined) return bucket.deleteCurrent(key, at);
  const removed: S3Version | undefined = bucket.version(key, versionId);
  bucket.remove(key, versionId);
  return { VersionId: versionId, DeleteMarker: removed && !removed.record ? true : undefined };
}

/** S3 names the version it acted on in a bucket that has versioning (the x-amz-version-id header). */
function versionOf(version: { VersionId: string }): { VersionId?: string } {
  return version.VersionId === 'null' ? {} : { VersionId: version.VersionId };
}

function head(o: S3ObjectRecord) {
  return {
    AcceptRanges: 'bytes',
    ContentLength: o.body.length,
    ETag: o.ETag,
    LastModified: new Date(o.LastModified),
    ContentType: o.ContentType ?? 'binary/octet-stream',
    Metadata: { ...o.Metadata },
    TagCount: o.tags.length || undefined,
  };
}
