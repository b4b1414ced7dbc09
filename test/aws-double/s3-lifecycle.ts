// Bucket lifecycle configuration: validated as S3 validates it, stored whole (Put replaces all rules).
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { fail } from './errors.js';
import { ids } from './paging.js';

export const MAX_LIFECYCLE_RULES = 1000;

function malformedXml(): never {
  fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

function invalidArgument(message: string): never {
  fail('InvalidArgument', message);
}

const defined = (o: object) => Object.values(o).filter((v) => v !== undefined).length;

/** Validates the rules and returns them as S3 will store them (IDs assigned where missing). */
export function validateLifecycle(rules: LifecycleRule[] | undefined, random: () => number): LifecycleRule[] {
  // Real S3 answers MalformedXML to more than 1,000 rules (it validates the rule count in its schema).
  if (!rules || rules.length === 0 || rules.length > MAX_LIFECYCLE_RULES) malformedXml();
  const seen = new Set<string>();
  return rules.map((rule) => {
    if (rule.Status !== 'Enabled' && rule.Status !== 'Disabled') malformedXml();
    if (rule.Prefix !== undefined && rule.Filter !== undefined) malformedXml();
    if (rule.Filter && defined(rule.Filter) > 1) malformedXml();
    if (rule.Filter?.And && defined(rule.Filter.And) < 1) malformedXml();
    const id = rule.ID ?? ids.alnum(random, 48);
    if (id.length > 255) invalidArgument('ID length should not exceed allowed limit of 255');
    if (seen.has(id)) invalidArgument('Rule ID must be unique. Found same ID for more than one rule');
    seen.add(id);
    const actions = [
      rule.Expiration,
      rule.Transitions?.length ? rule.Transitions : undefined,
      rule.NoncurrentVersionExpiration,
      rule.NoncurrentVersionTransitions?.length ? rule.NoncurrentVersionTransitions : undefined,
      rule.AbortIncompleteMultipartUpload,
    ];
    if (actions.every((a) => a === undefined)) fail('InvalidRequest', 'At least one action needs to be specified in a rule');
    const expiryDays = rule.Expiration?.Days;
    if (expiryDays !== undefined && !(Number.isInteger(expiryDays) && expiryDays > 0)) {
      invalidArgument("'Days' for Expiration action must be a positive integer");
    }
    const noncurrentDays = rule.NoncurrentVersionExpiration?.NoncurrentDays;
    if (rule.NoncurrentVersionExpiration && !(Number.isInteger(noncurrentDays) && noncurrentDays! > 0)) {
      invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
    }
    for (const t of rule.Transitions ?? []) {
      if (!t.StorageClass) malformedXml();
      if (t.Days !== undefined && expiryDays !== undefined && expiryDays <= t.Days) {
        invalidArgument(
          `'Days' in the Expiration action for filter '${filterText(rule)}' must be greater than 'Days' in the Transition action`,
        );
      }
    }
    return structuredClone({ ...rule, ID: id });
  });
}

function filterText(rule: LifecycleRule): string {
  return rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? '';
}
