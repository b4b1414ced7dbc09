import {
  DeleteBucketLifecycleCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLifecycleConfigurationCommand,
  GetObjectTaggingCommand, HeadObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand,
  PutObjectCommand, PutObjectTaggingCommand,
  type DeleteObjectsCommandOutput, type GetBucketLifecycleConfigurationCommandOutput, type GetObjectTaggingCommandOutput,
  type HeadObjectCommandOutput, type ListObjectVersionsCommandOutput, type ListObjectsV2CommandOutput, type S3Client,
} from '@aws-sdk/client-s3';
import { TransientError } from '../../../contract/errors.js';
import type { ObjectStoreApi } from '../apis.js';
import { mapLimit } from '../../../contract/concurrency.js';
import type { AwsCaller } from './caller.js';
import { isNotFound } from './errors.js';
import { fromS3Rule, toS3Rule } from './lifecycle.js';

/** DeleteObjects takes at most 1,000 keys; ListObjectsV2 returns at most 1,000 per page. */
const PAGE = 1000;
const TAGGING_CONCURRENCY = 16;

export function awsObjectStore(client: S3Client, caller: AwsCaller, bucket: string): ObjectStoreApi {
  const send = caller.bind('s3', client);
  /** A bucket-level lifecycle setting read with the rules: written back unchanged with them. */
  let minimumObjectSize: GetBucketLifecycleConfigurationCommandOutput['TransitionDefaultMinimumObjectSize'];

  /** Every page of keys under `prefix`, at most 1,000 at a time. */
  async function* pages(prefix: string): AsyncGenerator<string[]> {
    let token: string | undefined;
    do {
      const page = await send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: PAGE, ContinuationToken: token }));
      yield (page.Contents ?? []).map((o) => o.Key!).filter(Boolean);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  return {
    bucket,
    async listPrefixes(root) {
      const prefixes: string[] = [];
      let token: string | undefined;
      do {
        const page = await send(new ListObjectsV2Command({ Bucket: bucket, Prefix: root, Delimiter: '/', MaxKeys: PAGE, ContinuationToken: token }));
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return prefixes;
    },
    async hasObjects(prefix) {
      const page = await send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
      return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
    },
    async headObject(key) {
      try {
        const head = await send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, metadata: { ...head.Metadata }, etag: head.ETag };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async putObject(key, body, metadata) {
      await send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: metadata, ContentType: 'application/json' }));
    },
    async deleteObject(key) {
      await send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async getLifecycle() {
      try {
        const output = await send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
        minimumObjectSize = output.TransitionDefaultMinimumObjectSize;
        return (output.Rules ?? []).map(fromS3Rule);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        minimumObjectSize = undefined;
        return [];
      }
    },
    async putLifecycle(rules) {
      if (rules.length === 0) await send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
      else {
        await send(new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket, LifecycleConfiguration: { Rules: rules.map(toS3Rule) },
          ...(minimumObjectSize ? { TransitionDefaultMinimumObjectSize: minimumObjectSize } : {}),
        }));
      }
    },
    async deletePrefix(prefix, options = {}) {
      const keep = new Set(options.keep ?? []);
      const erased = { versions: 0, deleteMarkers: 0 };
      let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (;;) {
        // Every version and delete marker, not just current objects: in a versioned bucket a plain
        // delete only hides an object behind a marker.
        const page = await send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: PAGE, ...markers }));
        const versions = (page.Versions ?? []).filter((v) => v.Key && !keep.has(v.Key));
        const deleteMarkers = (page.DeleteMarkers ?? []).filter((m) => m.Key && !keep.has(m.Key));
        const batch = [...versions, ...deleteMarkers].map(({ Key, VersionId }) => ({ Key: Key!, VersionId }));
        if (batch.length > 0) {
          const output = await send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
          const failed = output.Errors ?? [];
          if (failed.length > 0) {
            throw new TransientError(`could not delete ${failed.length} object version(s) under ${prefix}: ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message ?? ''}`.trim());
          }
          erased.versions += versions.length;
          erased.deleteMarkers += deleteMarkers.length;
        }
        if (!page.IsTruncated) return erased;
        markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      }
    },
    async retagPrefix(prefix, tag, options = {}) {
      const skip = new Set(options.skip ?? []);
      let written = 0;
      for await (const keys of pages(prefix)) {
        await mapLimit(keys.filter((k) => !skip.has(k)), TAGGING_CONCURRENCY, async (key) => {
          const current = await send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
          const tags = current.TagSet ?? [];
          if (tags.some((t) => t.Key === tag.key && t.Value === tag.value)) return;
          const TagSet = [...tags.filter((t) => t.Key !== tag.key), { Key: tag.key, Value: tag.value }];
          await send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet } }));
          written++;
        });
      }
      return written;
    },
  };
}
