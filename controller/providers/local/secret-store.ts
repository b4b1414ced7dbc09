import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { ControllerError, systemErrorCode } from '../../../contract/errors.js';
import { jsonFileShape, parseJsonFile, STRING_MAP } from '../../json-file.js';
import type { SecretRecord, SecretsApi } from '../types.js';

interface StoredSecret {
  name: string;
  arn: string;
  tags: Record<string, string>;
  deletedAt?: number;
  /** AES-256-GCM: iv.tag.ciphertext, base64; absent for a placeholder. */
  value?: string;
}

const STORE_FILE = jsonFileShape<StoredSecret[]>('a list of secrets (name, arn, tags, deletedAt, value)', {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string' }, arn: { type: 'string' }, tags: STRING_MAP,
      deletedAt: { type: 'number', nullable: true }, value: { type: 'string', nullable: true },
    },
    required: ['name', 'arn', 'tags'],
  },
});

/**
 * Secrets for one machine: a JSON file of AES-256-GCM encrypted values, with the key in
 * a separate file (`keyFile`, mode 0600) outside the store, so copying the store alone
 * reveals nothing. Same semantics as the Secrets Manager adapter.
 */
/** The ARN of a secret in the local store: its name, under `local:secret:`. */
export function localSecretArn(name: string): string {
  return `local:secret:${name}`;
}

export class LocalSecretStore implements SecretsApi {
  private cache: Map<string, StoredSecret> | undefined;
  private cacheVersion: string | undefined;
  private key: Promise<Buffer> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly storeFile: string, private readonly keyFile: string, private readonly now: () => number = Date.now) {}

  async list(prefix: string): Promise<SecretRecord[]> {
    const all = await this.load();
    return [...all.values()].filter((s) => s.name.startsWith(prefix)).map(toRecord);
  }

  async create(name: string, value: string | undefined, tags: Record<string, string>): Promise<SecretRecord> {
    const all = await this.load();
    if (all.has(name)) throw new ControllerError('CONFLICT', `secret ${name} already exists`);
    const secret: StoredSecret = { name, arn: localSecretArn(name), tags: { ...tags } };
    if (value !== undefined) secret.value = await this.encrypt(value);
    all.set(name, secret);
    await this.save();
    return toRecord(secret);
  }

  async getValue(name: string): Promise<string | undefined> {
    const secret = await this.existing(name);
    if (secret.deletedAt !== undefined) throw new ControllerError('CONFLICT', `secret ${name} is scheduled for deletion`);
    return secret.value === undefined ? undefined : this.decrypt(secret.value);
  }

  async putValue(name: string, value: string): Promise<void> {
    const secret = await this.existing(name);
    secret.value = await this.encrypt(value);
    await this.save();
  }

  async tag(name: string, tags: Record<string, string>): Promise<void> {
    const secret = await this.existing(name);
    Object.assign(secret.tags, tags);
    await this.save();
  }

  async untag(name: string, keys: string[]): Promise<void> {
    const secret = await this.existing(name);
    for (const key of keys) delete secret.tags[key];
    await this.save();
  }

  async scheduleDeletion(name: string): Promise<void> {
    const secret = await this.existing(name);
    secret.deletedAt ??= this.now();
    await this.save();
  }

  async restore(name: string): Promise<void> {
    const secret = await this.existing(name);
    delete secret.deletedAt;
    await this.save();
  }

  private async existing(name: string): Promise<StoredSecret> {
    const secret = (await this.load()).get(name);
    if (!secret) throw new ControllerError('NOT_FOUND', `secret ${name} does not exist`);
    return secret;
  }

  /** The store as on disk: read again when another process (a tenantctl command) replaced the file since. */
  private async load(): Promise<Map<string, StoredSecret>> {
    await this.writing.catch(() => {});
    const version = existsSync(this.storeFile) ? fileVersion(await stat(this.storeFile)) : 'none';
    if (this.cache && version === this.cacheVersion) return this.cache;
    const secrets = version === 'none' ? [] : parseJsonFile(this.storeFile, await readFile(this.storeFile, 'utf8'), STORE_FILE);
    this.cache = new Map(secrets.map((s) => [s.name, s]));
    this.cacheVersion = version;
    return this.cache;
  }

  /** Writes are serialized and atomic (write then rename), so a crash never leaves half a store. */
  private save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.storeFile), { recursive: true });
      const tmp = `${this.storeFile}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify([...(this.cache ?? new Map()).values()], null, 2), { mode: 0o600 });
      await rename(tmp, this.storeFile);
      this.cacheVersion = fileVersion(await stat(this.storeFile));
    });
    return this.writing;
  }

  /** Loaded (or created) once; concurrent callers share the same promise so one key is ever used. */
  private secretKey(): Promise<Buffer> {
    this.key ??= this.loadKey();
    return this.key;
  }

  private async loadKey(): Promise<Buffer> {
    if (existsSync(this.keyFile)) return Buffer.from((await readFile(this.keyFile, 'utf8')).trim(), 'base64');
    await mkdir(dirname(this.keyFile), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    try {
      await writeFile(this.keyFile, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if (systemErrorCode(error) !== 'EEXIST') throw error;
      return Buffer.from((await readFile(this.keyFile, 'utf8')).trim(), 'base64');
    }
    await chmod(this.keyFile, 0o600);
    return key;
  }

  private async encrypt(plain: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.secretKey(), iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64')).join('.');
  }

  private async decrypt(stored: string): Promise<string> {
    const [iv, tag, body] = stored.split('.').map((part) => Buffer.from(part, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', await this.secretKey(), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}

/** A rename gives the file a new inode: with the time and size, a change by another process is seen. */
function fileVersion(stats: Stats): string {
  return `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
}

function toRecord(secret: StoredSecret): SecretRecord {
  return { name: secret.name, arn: secret.arn, tags: { ...secret.tags }, ...(secret.deletedAt !== undefined ? { deletedAt: secret.deletedAt } : {}) };
}

export function localSecretPaths(dataDir: string): { storeFile: string; keyFile: string } {
  return { storeFile: join(dataDir, 'secrets', 'store.json'), keyFile: join(dataDir, 'keys', 'secrets.key') };
}
