import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TerminalError } from '../../../contract/errors.js';
import type { Erased, LifecycleRule, ObjectHead, ObjectStoreApi } from '../apis.js';
import { jsonFileShape, readJsonFile, STRING_MAP } from '../../json-file.js';
import { pruneEmptyDirs, removeFile, safeRelative, walkFiles, writeFileAtomic, writeJson } from './files.js';

interface ObjectMeta {
  metadata: Record<string, string>;
  tags: Record<string, string>;
}

const META_FILE = jsonFileShape<ObjectMeta>('an object\'s metadata and tags', {
  type: 'object', properties: { metadata: STRING_MAP, tags: STRING_MAP }, required: ['metadata', 'tags'],
});

/** `raw` (AWS's own form of a rule it did not write) is kept as it is, unchecked. */
const LIFECYCLE_FILE = jsonFileShape<Omit<LifecycleRule, 'raw'>[]>('a list of lifecycle rules', {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      id: { type: 'string' }, enabled: { type: 'boolean' }, prefix: { type: 'string' }, tags: STRING_MAP,
      transitionDays: { type: 'number', nullable: true }, storageClass: { type: 'string', nullable: true },
      expirationDays: { type: 'number', nullable: true }, noncurrentExpirationDays: { type: 'number', nullable: true },
      expiredObjectDeleteMarker: { type: 'boolean', nullable: true },
    },
    required: ['id', 'enabled', 'prefix', 'tags'],
  },
});

const MAX_LIFECYCLE_RULES = 1000;

/**
 * The tenant bucket as folders: objects under `<dataDir>/s3/<bucket>/<key>`, their metadata and
 * tags beside the tree in `<dataDir>/s3-meta/<bucket>/objects/<key>.json`, and the bucket lifecycle
 * in `<dataDir>/s3-meta/<bucket>/lifecycle.json` (recorded, not executed: no clock moves objects here).
 * It does not model versioning: a delete removes the file, and no old version stays behind.
 */
export class LocalObjectStore implements ObjectStoreApi {
  private readonly root: string;
  private readonly meta: string;

  constructor(dataDir: string, readonly bucket: string) {
    this.root = join(dataDir, 's3', bucket);
    this.meta = join(dataDir, 's3-meta', bucket);
  }

  async listPrefixes(root: string): Promise<string[]> {
    const dir = join(this.root, safeRelative(root, 'prefix'));
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const prefixes: string[] = [];
    for (const entry of entries) {
      // A prefix exists in S3 only while some object is under it.
      if (entry.isDirectory() && (await walkFiles(join(dir, entry.name), dir)).length > 0) prefixes.push(`${root}${entry.name}/`);
    }
    return prefixes.sort();
  }

  async hasObjects(prefix: string): Promise<boolean> {
    return (await this.keys(prefix)).length > 0;
  }

  async headObject(key: string): Promise<ObjectHead | undefined> {
    const found = await stat(this.objectFile(key)).then((s) => s.isFile(), () => false);
    if (!found) return undefined;
    const meta = await this.readMeta(key);
    return { key, metadata: { ...meta.metadata }, etag: createHash('md5').update(JSON.stringify(meta)).digest('hex') };
  }

  async putObject(key: string, body: string, metadata: Record<string, string>): Promise<void> {
    await writeFileAtomic(this.objectFile(key), body);
    const lower = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
    await writeJson(this.metaFile(key), { metadata: lower, tags: {} } satisfies ObjectMeta);
  }

  async deleteObject(key: string): Promise<void> {
    await removeFile(this.objectFile(key));
    await removeFile(this.metaFile(key));
    await pruneEmptyDirs(dirname(this.objectFile(key)), this.root);
    await pruneEmptyDirs(dirname(this.metaFile(key)), this.meta);
  }

  async getLifecycle(): Promise<LifecycleRule[]> {
    return (await readJsonFile(join(this.meta, 'lifecycle.json'), LIFECYCLE_FILE)) ?? [];
  }

  async putLifecycle(rules: LifecycleRule[]): Promise<void> {
    if (rules.length > MAX_LIFECYCLE_RULES) throw new TerminalError('INTERNAL', `MalformedXML: a lifecycle configuration holds at most ${MAX_LIFECYCLE_RULES} rules`);
    if (rules.length === 0) await removeFile(join(this.meta, 'lifecycle.json'));
    else await writeJson(join(this.meta, 'lifecycle.json'), rules);
  }

  /** The local bucket keeps no versions: each file is the one version of its key, and nothing leaves a delete marker. */
  async deletePrefix(prefix: string, options: { keep?: readonly string[] } = {}): Promise<Erased> {
    const keep = new Set(options.keep ?? []);
    let versions = 0;
    for (const key of await this.keys(prefix)) {
      if (keep.has(key)) continue;
      await this.deleteObject(key);
      versions++;
    }
    return { versions, deleteMarkers: 0 };
  }

  async retagPrefix(prefix: string, tag: { key: string; value: string }, options: { skip?: readonly string[] } = {}): Promise<number> {
    const skip = new Set(options.skip ?? []);
    let written = 0;
    for (const key of await this.keys(prefix)) {
      if (skip.has(key)) continue;
      const meta = await this.readMeta(key);
      if (meta.tags[tag.key] === tag.value) continue;
      await writeJson(this.metaFile(key), { ...meta, tags: { ...meta.tags, [tag.key]: tag.value } });
      written++;
    }
    return written;
  }

  private async keys(prefix: string): Promise<string[]> {
    return (await walkFiles(join(this.root, safeRelative(prefix, 'prefix')), this.root)).filter((k) => k.startsWith(prefix));
  }

  private objectFile(key: string): string {
    return join(this.root, safeRelative(key, 'object key'));
  }

  private metaFile(key: string): string {
    return join(this.meta, 'objects', `${safeRelative(key, 'object key')}.json`);
  }

  private async readMeta(key: string): Promise<ObjectMeta> {
    return (await readJsonFile(this.metaFile(key), META_FILE)) ?? { metadata: {}, tags: {} };
  }
}
