// Secrets Manager operations over SecretsState: names and ARNs, versions, tags, filtered listing and
// deletion with a recovery window.
import type * as M from '@aws-sdk/client-secrets-manager';
import type { Out, ServiceHandlers } from './core.js';
import type { Env } from './options.js';
import { fail } from './errors.js';
import { byKey, pageSize, paginate } from './paging.js';
import { matchesFilters } from './secrets-filter.js';
import { dropTags, mergeTags } from './tags.js';
import {
  MAX_SECRET_TAGS,
  SecretsState,
  checkSecretName,
  checkSecretTags,
  describe,
  validationException,
  type SecretRecord,
} from './secrets-state.js';

const DAY_MS = 86_400_000;

function valueOf(input: { SecretString?: string; SecretBinary?: Uint8Array }) {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    fail('InvalidParameterException', 'You can\'t specify both a binary secret value and a string secret value in the same secret.');
  }
  if ((input.SecretString ?? '').length > 65536) validationException('secretString', 'Member must have length less than or equal to 65536');
  if (input.SecretString === undefined && input.SecretBinary === undefined) return undefined;
  return { SecretString: input.SecretString, SecretBinary: input.SecretBinary && new Uint8Array(input.SecretBinary) };
}

export function secretsHandlers(state: SecretsState, env: Env): ServiceHandlers {
  const date = () => new Date(env.now());
  return {
    CreateSecret(input: M.CreateSecretCommandInput): Out<M.CreateSecretCommandOutput> {
      const name = checkSecretName(input.Name);
      const Tags = checkSecretTags(input.Tags ?? []);
      const value = valueOf(input);
      const existing = state.find(name);
      if (existing?.DeletedDate) {
        fail('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
      }
      if (existing) fail('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      const secret = {
        ARN: state.arnFor(name),
        Name: name,
        Description: input.Description,
        KmsKeyId: input.KmsKeyId,
        Tags,
        versions: new Map(),
        CreatedDate: date(),
        LastChangedDate: date(),
      };
      state.secrets.set(secret.ARN, secret);
      const version = value && state.addVersion(secret, value, input.ClientRequestToken);
      return { ARN: secret.ARN, Name: name, VersionId: version?.VersionId };
    },
    DescribeSecret: (input: M.DescribeSecretCommandInput): Out<M.DescribeSecretCommandOutput> => describe(state.resolve(input.SecretId)),
    GetSecretValue(input: M.GetSecretValueCommandInput): Out<M.GetSecretValueCommandOutput> {
      const s = state.active(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      const version = [...s.versions.values()].find(
        (v) => (!input.VersionId || v.VersionId === input.VersionId) && (!stage || v.stages.includes(stage)),
      );
      if (!version) {
        const what = input.VersionId ? `VersionId: ${input.VersionId}` : `staging label: ${stage}`;
        fail('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${what}`);
      }
      s.LastAccessedDate = new Date(Math.floor(env.now() / DAY_MS) * DAY_MS); // AWS keeps the date only
      const { VersionId, SecretString, SecretBinary, stages, CreatedDate } = version;
      const VersionStages = [...stages];
      return { ARN: s.ARN, Name: s.Name, VersionId, SecretString, SecretBinary, VersionStages, CreatedDate: new Date(CreatedDate) };
    },
    PutSecretValue(input: M.PutSecretValueCommandInput): Out<M.PutSecretValueCommandOutput> {
      const s = state.active(input.SecretId);
      const value = valueOf(input) ?? fail('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const version = state.addVersion(s, value, input.ClientRequestToken);
      return { ARN: s.ARN, Name: s.Name, VersionId: version.VersionId, VersionStages: [...version.stages] };
    },
    UpdateSecret(input: M.UpdateSecretCommandInput): Out<M.UpdateSecretCommandOutput> {
      const s = state.active(input.SecretId);
      const value = valueOf(input);
      if (input.Description !== undefined) s.Description = input.Description;
      if (input.KmsKeyId !== undefined) s.KmsKeyId = input.KmsKeyId;
      s.LastChangedDate = date();
      const version = value && state.addVersion(s, value, input.ClientRequestToken);
      return { ARN: s.ARN, Name: s.Name, VersionId: version?.VersionId };
    },
    ListSecrets(input: M.ListSecretsCommandInput): Out<M.ListSecretsCommandOutput> {
      const max = pageSize(input.MaxResults, 100, 1, 100, () =>
        validationException('maxResults', 'Member must have value less than or equal to 100'),
      );
      const sortBy = input.SortBy ?? 'created-date';
      const order = input.SortOrder ?? 'desc';
      state.purge();
      const key = (s: SecretRecord) => {
        if (sortBy === 'name') return s.Name;
        const at = { 'last-changed-date': s.LastChangedDate, 'last-accessed-date': s.LastAccessedDate }[sortBy as string] ?? s.CreatedDate;
        return `${String(at?.getTime() ?? 0).padStart(16, '0')}|${s.Name}`;
      };
      const secrets = [...state.secrets.values()]
        .filter((s) => input.IncludePlannedDeletion || !s.DeletedDate)
        .filter((s) => matchesFilters(s, input.Filters ?? []))
        .sort(byKey(key, order));
      const badToken = () => fail('InvalidNextTokenException', 'The NextToken value is invalid.');
      const page = paginate(secrets, key, input.NextToken, max, badToken, order);
      const SecretList = page.items.map((s) => {
        const { VersionIdsToStages, ...rest } = describe(s);
        return { ...rest, SecretVersionsToStages: VersionIdsToStages };
      });
      return { SecretList, NextToken: page.next };
    },
    TagResource(input: M.TagResourceCommandInput): Out<M.TagResourceCommandOutput> {
      const s = state.resolve(input.SecretId);
      s.Tags = mergeTags(s.Tags, checkSecretTags(input.Tags ?? []), MAX_SECRET_TAGS, () =>
        fail('LimitExceededException', `A secret can have at most ${MAX_SECRET_TAGS} tags.`),
      );
      return {};
    },
    UntagResource(input: M.UntagResourceCommandInput): Out<M.UntagResourceCommandOutput> {
      const s = state.resolve(input.SecretId);
      s.Tags = dropTags(s.Tags, input.TagKeys);
      return {};
    },
    DeleteSecret(input: M.DeleteSecretCommandInput): Out<M.DeleteSecretCommandOutput> {
      const { RecoveryWindowInDays: days, ForceDeleteWithoutRecovery: force } = input;
      if (force && days !== undefined) {
        fail('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      if (days !== undefined && !(Number.isInteger(days) && days >= 7 && days <= 30)) {
        fail('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
      }
      const s = force ? state.resolve(input.SecretId) : state.active(input.SecretId);
      const now = env.now();
      s.DeletedDate = new Date(now);
      s.deleteAt = force ? now : now + (days ?? 30) * DAY_MS;
      if (force) state.secrets.delete(s.ARN);
      return { ARN: s.ARN, Name: s.Name, DeletionDate: new Date(s.deleteAt) };
    },
    RestoreSecret(input: M.RestoreSecretCommandInput): Out<M.RestoreSecretCommandOutput> {
      const s = state.resolve(input.SecretId);
      s.DeletedDate = undefined;
      s.deleteAt = undefined;
      return { ARN: s.ARN, Name: s.Name };
    },
  };
}
