// S3 over in-memory buckets: objects with tags and metadata, ListObjectsV2 with delimiters and
// continuation tokens, batch deletes, and bucket lifecycle configuration.
import type * as S from '@aws-sdk/client-s3';
import type { Out, ServiceHandlers } from './core.js';
import type { Env } from './options.js';
import { fail } from './errors.js';
import { etagOf, sdkBody, toBuffer } from './s3-body.js';
import { validateLifecycle } from './s3-lifecycle.js';
import { listObjects } from './s3-list.js';

export interface S3ObjectRecord {
  Key: string;
  body: Buffer;
  ETag: string;
  LastModified: Date;
  ContentType?: string;
  Metadata: Record<string, string>;
  tags: S.Tag[];
}

export interface S3Bucket {
  name: string;
  objects: Map<string, S3ObjectRecord>;
  lifecycle?: S.LifecycleRule[];
}

export class S3State {
  readonly buckets = new Map<string, S3Bucket>();
  createBucket(name: string): S3Bucket {
    const bucket = this.buckets.get(name) ?? { name, objects: new Map() };
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
  const object = (bucket: string | undefined, key: string | undefined) =>
    state.bucket(bucket).objects.get(String(key)) ?? fail('NoSuchKey', 'The specified key does not exist.', 404);

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
      bucket.objects.set(input.Key, record);
      return { ETag: record.ETag, Size: body.length };
    },
    GetObject(input: S.GetObjectCommandInput): Out<S.GetObjectCommandOutput> {
      const o = object(input.Bucket, input.Key);
      return { Body: sdkBody(o.body) as unknown as S.GetObjectCommandOutput['Body'], ...head(o) };
    },
    HeadObject(input: S.HeadObjectCommandInput): Out<S.HeadObjectCommandOutput> {
      const o = state.buckets.get(String(input.Bucket))?.objects.get(String(input.Key));
      if (!o) fail('NotFound', 'Not Found', 404); // a HEAD response has no body, so no NoSuchKey/NoSuchBucket
      return head(o);
    },
    DeleteObject(input: S.DeleteObjectCommandInput): Out<S.DeleteObjectCommandOutput> {
      state.bucket(input.Bucket).objects.delete(String(input.Key));
      return {};
    },
    DeleteObjects(input: S.DeleteObjectsCommandInput): Out<S.DeleteObjectsCommandOutput> {
      const bucket = state.bucket(input.Bucket);
      const objects = input.Delete?.Objects ?? [];
      if (objects.length === 0 || objects.length > 1000) {
        fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
      }
      for (const { Key } of objects) bucket.objects.delete(String(Key));
      return input.Delete?.Quiet ? {} : { Deleted: objects.map(({ Key }) => ({ Key })) };
    },
    ListObjectsV2(input: S.ListObjectsV2CommandInput): Out<S.ListObjectsV2CommandOutput> {
      const bucket = state.bucket(input.Bucket);
      return listObjects(bucket, input);
    },
    GetObjectTagging(input: S.GetObjectTaggingCommandInput): Out<S.GetObjectTaggingCommandOutput> {
      return { TagSet: object(input.Bucket, input.Key).tags.map((t) => ({ ...t })) };
    },
    PutObjectTagging(input: S.PutObjectTaggingCommandInput): Out<S.PutObjectTaggingCommandOutput> {
      const o = object(input.Bucket, input.Key);
      o.tags = checkObjectTags(input.Tagging?.TagSet ?? []);
      return {};
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

function head(o: S3ObjectRecord) {
  return {
    ContentLength: o.body.length,
    ETag: o.ETag,
    LastModified: new Date(o.LastModified),
    ContentType: o.ContentType ?? 'binary/octet-stream',
    Metadata: { ...o.Metadata },
    TagCount: o.tags.length || undefined,
  };
}
