import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand,
  PutSecretValueCommand, RestoreSecretCommand, TagResourceCommand, UntagResourceCommand,
  type CreateSecretCommandOutput, type GetSecretValueCommandOutput, type ListSecretsCommandOutput, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ControllerError } from '../../../contract/errors.js';
import type { SecretRecord, SecretsApi } from '../types.js';
import type { AwsCaller } from './caller.js';
import { isNotFound } from './errors.js';

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Secrets Manager behind the SecretsApi, with the same semantics as the local encrypted store. */
export function awsSecrets(client: SecretsManagerClient, caller: AwsCaller): SecretsApi {
  const send = caller.bind('secretsmanager', client);

  /** A missing secret is reported as the local store reports it. */
  async function onExisting<T>(name: string, sent: Promise<T>): Promise<T> {
    try {
      return await sent;
    } catch (error) {
      if (isNotFound(error)) throw new ControllerError('NOT_FOUND', `secret ${name} does not exist`, { cause: error });
      throw error;
    }
  }

  /**
   * The pages of one listing. The secrets module and the credential store (for the postgres module)
   * list the same prefix at the same moment of every pass: they share one listing, not two.
   */
  const listing = new Map<string, Promise<SecretRecord[]>>();

  async function listAll(prefix: string): Promise<SecretRecord[]> {
    const records: SecretRecord[] = [];
    let token: string | undefined;
    do {
      const page = await send(new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [prefix] }], IncludePlannedDeletion: true, MaxResults: 100, NextToken: token,
      }));
      for (const s of page.SecretList ?? []) {
        // The name filter matches prefixes without regard to case: keep exact matches only.
        if (!s.Name?.startsWith(prefix)) continue;
        records.push({
          name: s.Name,
          arn: s.ARN ?? '',
          tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
          ...(s.DeletedDate ? { deletedAt: s.DeletedDate.getTime() } : {}),
        });
      }
      token = page.NextToken;
    } while (token);
    return records;
  }

  return {
    async list(prefix) {
      let pending = listing.get(prefix);
      if (!pending) {
        pending = listAll(prefix).finally(() => listing.delete(prefix));
        listing.set(prefix, pending);
      }
      return [...(await pending)];
    },
    async create(name, value, tags, description) {
      const output = await send(new CreateSecretCommand({
        Name: name, Description: description, Tags: toTags(tags), ClientRequestToken: randomUUID(),
        ...(value !== undefined ? { SecretString: value } : {}),
      }));
      return { name, arn: output.ARN ?? '', tags: { ...tags } };
    },
    async getValue(name) {
      try {
        const output = await send(new GetSecretValueCommand({ SecretId: name }));
        return output.SecretString;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // Either no such secret, or a placeholder without a value: only DescribeSecret tells.
        await onExisting(name, send(new DescribeSecretCommand({ SecretId: name })));
        return undefined;
      }
    },
    async putValue(name, value) {
      await onExisting(name, send(new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: randomUUID() })));
    },
    async tag(name, tags) {
      await onExisting(name, send(new TagResourceCommand({ SecretId: name, Tags: toTags(tags) })));
    },
    async untag(name, keys) {
      await onExisting(name, send(new UntagResourceCommand({ SecretId: name, TagKeys: keys })));
    },
    async scheduleDeletion(name, recoveryWindowDays) {
      await onExisting(name, send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: recoveryWindowDays })));
    },
    async restore(name) {
      await onExisting(name, send(new RestoreSecretCommand({ SecretId: name })));
    },
  };
}
