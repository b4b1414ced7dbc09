import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { names } from '../../contract/names.js';
import type { AgentEnv } from './env.js';

/** Where an agent writes its outputs: the tenant's prefix of the shared bucket, and nowhere else. */
export interface ObjectStore {
  /** Writes `body` at `key` (which must lie under the tenant's prefix); returns the key. */
  put(key: string, body: string, contentType: string): Promise<string>;
  /** The text at `key` (under the tenant's prefix), or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  /** Where a reader finds the object at `key`: a file URL locally, `s3://bucket/key` in AWS. */
  location(key: string): string;
}

interface RawObjects {
  put(key: string, body: string, contentType: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
  location(key: string): string;
}

/** Refuses keys outside `tenants/<tenant>/` before any read or write: a bug can never reach another tenant's prefix. */
export function scopedObjects(tenant: string, raw: RawObjects): ObjectStore {
  const prefix = names.s3Prefix(tenant);
  const inPrefix = (key: string, verb: string) => {
    if (!key.startsWith(prefix) || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new Error(`refusing to ${verb} ${key}: outside the tenant prefix ${prefix}`);
    }
  };
  return {
    location: raw.location,
    async put(key, body, contentType) {
      inPrefix(key, 'write');
      await raw.put(key, body, contentType);
      return key;
    },
    async get(key) {
      inPrefix(key, 'read');
      return raw.get(key);
    },
  };
}

/** The local provider's bucket: `<dataDir>/s3/<bucket>/<key>`. */
export function localObjects(tenant: string, dataDir: string, bucket: string): ObjectStore {
  const root = resolve(dataDir, 's3', bucket);
  const fileOf = (key: string) => {
    const file = resolve(root, key);
    if (!file.startsWith(root + sep)) throw new Error(`refusing to use ${key}: outside the bucket folder`);
    return file;
  };
  return scopedObjects(tenant, {
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, body);
    },
    async get(key) {
      try {
        return await readFile(fileOf(key), 'utf8');
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    location: (key) => pathToFileURL(resolve(root, key)).href,
  });
}

/** S3 with the task's credentials: in ECS, the tenant role (overrides.taskRoleArn), limited to its prefix. */
export function s3Objects(tenant: string, bucket: string, client: Pick<S3Client, 'send'>): ObjectStore {
  return scopedObjects(tenant, {
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(key) {
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await Body?.transformToString('utf8');
      } catch (error) {
        // The tenant may list its prefix, so a missing key answers NoSuchKey (not AccessDenied).
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    location: (key) => `s3://${bucket}/${key}`,
  });
}

export function objectsFor(env: AgentEnv): ObjectStore {
  if (env.provider === 'local') return localObjects(env.tenant, env.dataDir!, env.bucket);
  const client = new S3Client({ region: env.region, ...(env.endpointUrl ? { endpoint: env.endpointUrl, forcePathStyle: true } : {}), ...(env.awsCredentials ? { credentials: env.awsCredentials } : {}) });
  return s3Objects(env.tenant, env.bucket, client);
}
