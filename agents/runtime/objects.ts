import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { names } from '../../contract/names.js';
import type { AgentEnv } from './env.js';

/** Where an agent writes its outputs: the tenant's prefix of the shared bucket, and nowhere else. */
export interface ObjectStore {
  /** Writes `body` at `key` (which must lie under the tenant's prefix); returns the key. */
  put(key: string, body: string, contentType: string): Promise<string>;
  /** Where a reader finds the object at `key`: a file URL locally, `s3://bucket/key` in AWS. */
  location(key: string): string;
}

type RawPut = (key: string, body: string, contentType: string) => Promise<void>;

/** Refuses keys outside `tenants/<tenant>/` before any write: a bug can never spill into another tenant's prefix. */
export function scopedObjects(tenant: string, put: RawPut, location: (key: string) => string): ObjectStore {
  const prefix = names.s3Prefix(tenant);
  return {
    location,
    async put(key, body, contentType) {
      if (!key.startsWith(prefix) || key.split('/').some((part) => part === '..' || part === '.')) {
        throw new Error(`refusing to write ${key}: outside the tenant prefix ${prefix}`);
      }
      await put(key, body, contentType);
      return key;
    },
  };
}

/** The local provider's bucket: `<dataDir>/s3/<bucket>/<key>`. */
export function localObjects(tenant: string, dataDir: string, bucket: string): ObjectStore {
  const root = resolve(dataDir, 's3', bucket);
  return scopedObjects(tenant, async (key, body) => {
    const file = resolve(root, key);
    if (!file.startsWith(root + sep)) throw new Error(`refusing to write ${key}: outside the bucket folder`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
  }, (key) => pathToFileURL(resolve(root, key)).href);
}

/** S3 with the task's credentials: in ECS, the tenant role (overrides.taskRoleArn), limited to its prefix. */
export function s3Objects(tenant: string, bucket: string, client: Pick<S3Client, 'send'>): ObjectStore {
  return scopedObjects(tenant, async (key, body, contentType) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }, (key) => `s3://${bucket}/${key}`);
}

export function objectsFor(env: AgentEnv): ObjectStore {
  if (env.provider === 'local') return localObjects(env.tenant, env.dataDir!, env.bucket);
  const client = new S3Client({ region: env.region, ...(env.endpointUrl ? { endpoint: env.endpointUrl, forcePathStyle: true } : {}), ...(env.awsCredentials ? { credentials: env.awsCredentials } : {}) });
  return s3Objects(env.tenant, env.bucket, client);
}
