// IAM's input constraints, answered with IAM's own error codes and messages.
import type { Tag } from '@aws-sdk/client-iam';
import { fail } from './errors.js';
import type { StoredTag } from './tags.js';

export function validationError(value: unknown, field: string, constraint: string): never {
  fail(
    'ValidationError',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

export function checkName(value: string | undefined, field: string, max: number): void {
  if (!value) validationError(value, field, 'Member must have length greater than or equal to 1');
  if (value.length > max) validationError(value, field, `Member must have length less than or equal to ${max}`);
  if (!/^[\w+=,.@-]+$/.test(value)) validationError(value, field, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
}

export function checkPath(value: string, field: string): void {
  if (value.length > 512) validationError(value, field, 'Member must have length less than or equal to 512');
  if (!/^(\/|\/[\u0021-\u007E]+\/)$/.test(value)) {
    validationError(value, field, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  }
}

export const MAX_TAGS = 50;

export function tagQuota(): never {
  fail('LimitExceeded', `Cannot exceed quota for TagsPerRole: ${MAX_TAGS}`, 409);
}

/** Validates tags and returns them as stored. */
export function checkTags(tags: Tag[]): StoredTag[] {
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    if (!Key || Key.length > 128) validationError(Key, 'tags.member.key', 'Member must have length less than or equal to 128');
    if ((Value ?? '').length > 256) validationError(Value, 'tags.member.value', 'Member must have length less than or equal to 256');
    if (keys.has(Key.toLowerCase())) fail('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    keys.add(Key.toLowerCase());
  }
  if (tags.length > MAX_TAGS) tagQuota();
  return tags.map((t) => ({ Key: t.Key!, Value: t.Value ?? '' }));
}
