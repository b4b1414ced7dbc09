// ListObjectsV2 as S3 answers it: keys in order under a prefix, rolled up into common prefixes at the
// delimiter, at most 1,000 entries (keys and prefixes together) a page, with an opaque continuation token.
import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput, _Object } from '@aws-sdk/client-s3';
import type { Out } from './core.js';
import { fail } from './errors.js';
import { decodeToken, encodeToken } from './paging.js';
import type { S3Bucket } from './s3.js';

export function listObjects(bucket: S3Bucket, input: ListObjectsV2CommandInput): Out<ListObjectsV2CommandOutput> {
  const prefix = input.Prefix ?? '';
  const delimiter = input.Delimiter || undefined;
  const maxKeys = Math.min(input.MaxKeys ?? 1000, 1000);
  let after = input.StartAfter ?? '';
  if (input.ContinuationToken !== undefined) {
    after = decodeToken(input.ContinuationToken) ?? fail('InvalidArgument', 'The continuation token provided is incorrect');
  }
  const contents: _Object[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  for (const key of keys) {
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    const entry = cut >= 0 ? prefix + rest.slice(0, cut + delimiter!.length) : key;
    if (entry === last || (cut >= 0 && after.startsWith(entry))) continue; // rolled up already
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    last = entry;
    if (cut >= 0) commonPrefixes.push(entry);
    else {
      const o = bucket.objects.get(key)!;
      contents.push({ Key: key, LastModified: new Date(o.LastModified), ETag: o.ETag, Size: o.body.length, StorageClass: 'STANDARD' });
    }
  }
  return {
    Name: bucket.name,
    Prefix: prefix,
    Delimiter: delimiter,
    MaxKeys: maxKeys,
    KeyCount: contents.length + commonPrefixes.length,
    IsTruncated: truncated,
    Contents: contents.length ? contents : undefined,
    CommonPrefixes: commonPrefixes.length ? commonPrefixes.map((Prefix) => ({ Prefix })) : undefined,
    ContinuationToken: input.ContinuationToken,
    NextContinuationToken: truncated && last !== undefined ? encodeToken(last) : undefined,
    StartAfter: input.StartAfter,
  };
}
