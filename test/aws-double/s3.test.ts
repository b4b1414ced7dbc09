import {
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  paginateListObjectsV2,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { rejection, setup } from './fixtures.js';

const Bucket = 'openclaw-tenants';

function withBucket() {
  const world = setup();
  world.double.state.s3.createBucket(Bucket);
  return world;
}

const rule = (ID: string, Prefix = `tenants/${ID}/`): LifecycleRule => ({ ID, Status: 'Enabled', Filter: { Prefix }, Expiration: { Days: 30 } });

describe('S3 double', () => {
  it('answers NoSuchBucket for a bucket that was never created', async () => {
    const { s3 } = setup();
    const error = await rejection(s3.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' })));
    expect(error).toBeInstanceOf(NoSuchBucket);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('stores objects with metadata and tags and returns a body that can be read once', async () => {
    const { s3 } = withBucket();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'tenants/a/.keep', Body: 'hello', Metadata: { 'Managed-By': 'openclaw' }, Tagging: 'tenant=a&managed-by=openclaw' }));
    expect(put.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'tenants/a/.keep' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    await expect(got.Body!.transformToString()).rejects.toThrow('already been transformed');
    expect(got).toMatchObject({ ContentLength: 5, Metadata: { 'managed-by': 'openclaw' }, TagCount: 2 });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'tenants/a/.keep' }));
    expect(tags.TagSet).toEqual([{ Key: 'tenant', Value: 'a' }, { Key: 'managed-by', Value: 'openclaw' }]);
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'tenants/a/.keep', Tagging: { TagSet: [{ Key: 'tenant', Value: 'a' }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'tenants/a/.keep' }))).TagSet).toHaveLength(1);
    const bytes = await s3.send(new PutObjectCommand({ Bucket, Key: 'bin', Body: new Uint8Array([1, 2, 3]) }));
    expect(bytes.Size).toBe(3);
  });

  it('answers NoSuchKey to GetObject and NotFound to HeadObject for a missing key', async () => {
    const { s3 } = withBucket();
    expect(await rejection(s3.send(new GetObjectCommand({ Bucket, Key: 'missing' })))).toBeInstanceOf(NoSuchKey);
    const head = await rejection(s3.send(new HeadObjectCommand({ Bucket, Key: 'missing' })));
    expect(head.name).toBe('NotFound');
    expect(head.$metadata?.httpStatusCode).toBe(404);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'missing' }));
  });

  it('refuses more than ten tags on an object', async () => {
    const { s3 } = withBucket();
    const Tagging = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
    expect((await rejection(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', Tagging })))).name).toBe('BadRequest');
  });

  it('lists keys under a prefix with a delimiter as common prefixes across pages', async () => {
    const { s3 } = withBucket();
    for (const t of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) await s3.send(new PutObjectCommand({ Bucket, Key: `tenants/${t}/f${i}`, Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tenants/readme', Body: 'x' }));
    const first = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'tenants/', Delimiter: '/', MaxKeys: 2 }));
    expect(first.CommonPrefixes).toEqual([{ Prefix: 'tenants/a/' }, { Prefix: 'tenants/b/' }]);
    expect(first.Contents).toBeUndefined();
    expect(first).toMatchObject({ KeyCount: 2, IsTruncated: true });
    const second = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'tenants/', Delimiter: '/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    expect(second.CommonPrefixes).toEqual([{ Prefix: 'tenants/c/' }]);
    expect(second.Contents?.map((o) => o.Key)).toEqual(['tenants/readme']);
    expect(second).toMatchObject({ KeyCount: 2, IsTruncated: false });
    expect(second).not.toHaveProperty('NextContinuationToken');
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 4 }, { Bucket, Prefix: 'tenants/b/' })) keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    expect(keys).toEqual(['tenants/b/f0', 'tenants/b/f1', 'tenants/b/f2']);
    const bad = await rejection(s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: 'garbage' })));
    expect(bad.name).toBe('InvalidArgument');
  });

  it('lists at most 1,000 keys per page', async () => {
    const { s3, double } = withBucket();
    const bucket = double.state.s3.buckets.get(Bucket)!;
    for (let i = 0; i < 1500; i++) await s3.send(new PutObjectCommand({ Bucket, Key: `k${String(i).padStart(4, '0')}`, Body: '' }));
    const page = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 5000 }));
    expect(page.KeyCount).toBe(1000);
    expect(page.IsTruncated).toBe(true);
    expect(bucket.objects.size).toBe(1500);
  });

  it('deletes up to 1,000 keys per DeleteObjects call and rejects more as MalformedXML', async () => {
    const { s3, double } = withBucket();
    for (let i = 0; i < 3; i++) await s3.send(new PutObjectCommand({ Bucket, Key: `tenants/a/${i}`, Body: 'x' }));
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'tenants/a/0' }, { Key: 'tenants/a/1' }, { Key: 'never' }] } }));
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual(['tenants/a/0', 'tenants/a/1', 'never']);
    expect([...double.state.s3.buckets.get(Bucket)!.objects.keys()]).toEqual(['tenants/a/2']);
    const Objects = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));
    expect((await rejection(s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } })))).name).toBe('MalformedXML');
  });

  it('answers NoSuchLifecycleConfiguration until rules are put, and keeps them whole', async () => {
    const { s3 } = withBucket();
    const none = await rejection(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })));
    expect(none.name).toBe('NoSuchLifecycleConfiguration');
    expect(none.$metadata?.httpStatusCode).toBe(404);
    const unnamed: LifecycleRule = { Status: 'Enabled', Filter: { Tag: { Key: 'archive', Value: 'true' } }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] };
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [rule('a'), unnamed] } }));
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(got.Rules).toHaveLength(2);
    expect(got.Rules![0]).toEqual(rule('a'));
    expect(got.Rules![1].ID).toMatch(/^[A-Za-z0-9]{48}$/);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
    expect((await rejection(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })))).name).toBe('NoSuchLifecycleConfiguration');
  });

  it('validates lifecycle rules as S3 does: at most 1,000, unique IDs of at most 255 characters, one filter kind, an action', async () => {
    const { s3 } = withBucket();
    const put = (Rules: LifecycleRule[]) => rejection(s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } })));
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: Array.from({ length: 1000 }, (_, i) => rule(`r${i}`)) } }));
    expect((await put(Array.from({ length: 1001 }, (_, i) => rule(`r${i}`)))).name).toBe('MalformedXML');
    expect((await put([rule('same'), rule('same', 'other/')])).message).toBe('Rule ID must be unique. Found same ID for more than one rule');
    expect((await put([rule('x'.repeat(256))])).name).toBe('InvalidArgument');
    expect((await put([{ ...rule('both'), Filter: { Prefix: 'a/', Tag: { Key: 'k', Value: 'v' } } }])).name).toBe('MalformedXML');
    expect((await put([{ ID: 'noop', Status: 'Enabled', Filter: { Prefix: 'a/' } }])).name).toBe('InvalidRequest');
    expect((await put([{ ...rule('order'), Expiration: { Days: 10 }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] }])).name).toBe('InvalidArgument');
    const kept = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(kept.Rules).toHaveLength(1000);
  });

  it('refuses a noncurrent-version expiration that is not a positive number of days', async () => {
    const { s3 } = withBucket();
    const Rules: LifecycleRule[] = [{ ID: 'old', Status: 'Enabled', Filter: { Prefix: 'tenants/' }, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }];
    expect((await rejection(s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } })))).name).toBe('InvalidArgument');
  });
});

describe('S3 double: versioning', () => {
  async function versioned() {
    const world = withBucket();
    await world.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    return world;
  }

  it('keeps every version and turns a plain delete into a delete marker once versioning is on', async () => {
    const { s3 } = await versioned();
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'tenants/a/f', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'tenants/a/f', Body: 'two' }));
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    const gone = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'tenants/a/f' }));
    expect(gone.DeleteMarker).toBe(true);
    expect(await rejection(s3.send(new GetObjectCommand({ Bucket, Key: 'tenants/a/f' })))).toBeInstanceOf(NoSuchKey);
    expect((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'tenants/' }))).Contents).toBeUndefined();
    const old = await s3.send(new GetObjectCommand({ Bucket, Key: 'tenants/a/f', VersionId: v1.VersionId }));
    expect(await old.Body!.transformToString()).toBe('one');
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'tenants/' }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([[v2.VersionId, false], [v1.VersionId, false]]);
    expect(listed.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[gone.VersionId, true]]);
  });

  it('lists versions in pages by key and version-id markers, even when the marker version was removed since', async () => {
    const { s3 } = await versioned();
    for (const key of ['tenants/a/1', 'tenants/a/2']) {
      for (let i = 0; i < 3; i++) await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: String(i) }));
    }
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'tenants/a/2' }));
    const seen: string[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    let pages = 0;
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'tenants/a/', MaxKeys: 2, ...markers }));
      pages++;
      const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
      seen.push(...entries.map((e) => `${e.Key}@${e.VersionId}`));
      // Removing what a page listed must not disturb the next page.
      await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: entries.map(({ Key, VersionId }) => ({ Key, VersionId })), Quiet: true } }));
      if (!page.IsTruncated) break;
      markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
    }
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(7);
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'tenants/' }))).Versions).toBeUndefined();
    const bad = await rejection(s3.send(new ListObjectVersionsCommand({ Bucket, VersionIdMarker: 'x' })));
    expect(bad.name).toBe('InvalidArgument');
  });

  it('removes a version for good when DeleteObjects names its VersionId, and reports removed delete markers', async () => {
    const { s3 } = await versioned();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'k', VersionId: put.VersionId }, { Key: 'k', VersionId: marker.VersionId }] } }));
    expect(out.Deleted).toEqual([
      { Key: 'k', VersionId: put.VersionId },
      { Key: 'k', VersionId: marker.VersionId, DeleteMarker: true, DeleteMarkerVersionId: marker.VersionId },
    ]);
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket }))).DeleteMarkers).toBeUndefined();
  });

  it('gives an unversioned bucket one "null" version per key, which a plain delete removes', async () => {
    const { s3 } = withBucket();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    expect(put.VersionId).toBeUndefined();
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions?.map((v) => v.VersionId)).toEqual(['null']);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect(await s3.send(new ListObjectVersionsCommand({ Bucket }))).not.toHaveProperty('Versions');
  });
});
