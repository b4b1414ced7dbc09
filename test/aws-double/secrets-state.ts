// Secrets Manager's in-memory state: secrets addressed by name or ARN, versions with staging labels,
// and deletion windows that end — the secret is really gone — on the injected clock.
import type { DescribeSecretResponse, Tag } from '@aws-sdk/client-secrets-manager';
import type { Env } from './options.js';
import { fail } from './errors.js';
import { ids } from './paging.js';
import type { StoredTag } from './tags.js';

export interface SecretVersion {
  VersionId: string;
  SecretString?: string;
  SecretBinary?: Uint8Array;
  stages: string[];
  CreatedDate: Date;
}

export interface SecretRecord {
  ARN: string;
  Name: string;
  Description?: string;
  KmsKeyId?: string;
  Tags: StoredTag[];
  versions: Map<string, SecretVersion>;
  CreatedDate: Date;
  LastChangedDate: Date;
  LastAccessedDate?: Date;
  DeletedDate?: Date;
  /** When a scheduled deletion takes effect (ms on the injected clock). */
  deleteAt?: number;
}

export const MAX_SECRET_TAGS = 50;

export class SecretsState {
  /** Keyed by ARN. Tests may edit records directly (out-of-band changes). */
  readonly secrets = new Map<string, SecretRecord>();

  constructor(private readonly env: Env) {}

  /** Removes secrets whose recovery window has ended. */
  purge(): void {
    const now = this.env.now();
    for (const [arn, s] of this.secrets) if (s.deleteAt !== undefined && s.deleteAt <= now) this.secrets.delete(arn);
  }

  find(secretId: string | undefined): SecretRecord | undefined {
    this.purge();
    const id = String(secretId);
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.Name === id);
  }

  resolve(secretId: string | undefined): SecretRecord {
    return this.find(secretId) ?? fail('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  /** A secret that is not scheduled for deletion (writes and reads of the value need one). */
  active(secretId: string | undefined): SecretRecord {
    const s = this.resolve(secretId);
    if (s.DeletedDate) {
      fail('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return s;
  }

  arnFor(name: string): string {
    const { region, accountId } = this.env.options;
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${ids.alnum(this.env.random, 6)}`;
  }

  /** Stores a new value as AWSCURRENT, moving the old current to AWSPREVIOUS. */
  addVersion(s: SecretRecord, value: Pick<SecretVersion, 'SecretString' | 'SecretBinary'>, token?: string): SecretVersion {
    const VersionId = token ?? ids.uuid(this.env.random);
    const existing = s.versions.get(VersionId);
    if (existing) {
      if (existing.SecretString === value.SecretString && sameBytes(existing.SecretBinary, value.SecretBinary)) return existing;
      fail('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
    }
    for (const v of s.versions.values()) {
      v.stages = v.stages.filter((stage) => stage !== 'AWSPREVIOUS');
      if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((st) => st !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    const version = { VersionId, ...value, stages: ['AWSCURRENT'], CreatedDate: new Date(this.env.now()) };
    s.versions.set(VersionId, version);
    s.LastChangedDate = new Date(this.env.now());
    return version;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return Buffer.from(a).equals(Buffer.from(b));
}

export function describe(s: SecretRecord): DescribeSecretResponse {
  const stages = [...s.versions.values()].filter((v) => v.stages.length > 0);
  return {
    ARN: s.ARN,
    Name: s.Name,
    Description: s.Description,
    KmsKeyId: s.KmsKeyId,
    LastChangedDate: new Date(s.LastChangedDate),
    LastAccessedDate: s.LastAccessedDate && new Date(s.LastAccessedDate),
    DeletedDate: s.DeletedDate && new Date(s.DeletedDate),
    Tags: s.Tags.map((t) => ({ ...t })),
    VersionIdsToStages: Object.fromEntries(stages.map((v) => [v.VersionId, [...v.stages]])),
    CreatedDate: new Date(s.CreatedDate),
  };
}

export function validationException(field: string, constraint: string): never {
  fail('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function checkSecretName(name: string | undefined): string {
  if (!name) validationException('name', 'Member must have length greater than or equal to 1');
  if (name.length > 512) validationException('name', 'Member must have length less than or equal to 512');
  if (!/^[a-zA-Z0-9/_+=.@-]+$/.test(name)) {
    fail(
      'InvalidParameterException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
  return name;
}

export function checkSecretTags(tags: Tag[]): StoredTag[] {
  if (tags.length > MAX_SECRET_TAGS) validationException('tags', `Member must have length less than or equal to ${MAX_SECRET_TAGS}`);
  for (const { Key, Value } of tags) {
    if (!Key || Key.length > 128) validationException('tags.member.key', 'Member must have length less than or equal to 128');
    if ((Value ?? '').length > 256) validationException('tags.member.value', 'Member must have length less than or equal to 256');
  }
  return tags.map((t) => ({ Key: t.Key!, Value: t.Value ?? '' }));
}
