// ListSecrets filters as Secrets Manager applies them: values of one key are alternatives, keys are
// all required, a leading '!' negates, and each key matches by prefix (description and 'all'
// without regard to case).
import type { Filter } from '@aws-sdk/client-secrets-manager';
import { validationException, type SecretRecord } from './secrets-state.js';

const KEYS = new Set(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']);

function matchesOne(s: SecretRecord, key: string, value: string): boolean {
  const lower = value.toLowerCase();
  switch (key) {
    case 'name':
      return s.Name.startsWith(value);
    case 'description':
      return (s.Description ?? '').toLowerCase().startsWith(lower);
    case 'tag-key':
      return s.Tags.some((t) => t.Key!.startsWith(value));
    case 'tag-value':
      return s.Tags.some((t) => (t.Value ?? '').startsWith(value));
    case 'all': {
      const words = [s.Name, s.Description ?? '', ...s.Tags.flatMap((t) => [t.Key!, t.Value ?? ''])].join(' ').toLowerCase();
      return lower.split(/\s+/).filter(Boolean).every((w) => words.includes(w));
    }
    default:
      return false; // primary-region, owning-service: the double has no replicas or owning services
  }
}

export function matchesFilters(s: SecretRecord, filters: Filter[]): boolean {
  return filters.every(({ Key, Values }) => {
    if (!Key || !KEYS.has(Key)) {
      validationException('filters.member.key', `Member must satisfy enum value set: [${[...KEYS].join(', ')}]`);
    }
    if (!Values || Values.length === 0 || Values.length > 10) {
      validationException('filters.member.values', 'Member must have length between 1 and 10');
    }
    const positive = Values.filter((v) => !v.startsWith('!'));
    const negative = Values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
    return (positive.length === 0 || positive.some((v) => matchesOne(s, Key, v))) && !negative.some((v) => matchesOne(s, Key, v));
  });
}
