import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_NAMES } from '../../../contract/catalog.js';
import { IAM_ROLE_NAME_MAX, MAX_TENANT_NAME_LENGTH, PG_IDENTIFIER_MAX_BYTES, names } from '../../../contract/names.js';
import { FILE, NAME_RULE, manifest, problems, validate } from './helpers.js';

/*
 * Why 40: every resource of a tenant is named after it, and the tightest limits are
 *   PostgreSQL identifiers, 63 bytes:  tenant_<name>_runtime  = 15 + name  → name ≤ 48
 *   IAM role names, 64 characters:     openclaw-tenant-<name> = 16 + name  → name ≤ 48
 * 40 keeps 8 characters of headroom for a future suffix, so no tenant ever has to be renamed.
 */
const LONGEST = `${'a'.repeat(20)}-${'b'.repeat(18)}9`;
const SECRETS_PREFIX_MAX = 'p'.repeat(64); // OPENCLAW_SECRETS_PREFIX allows 1-64 characters (controller/config.ts)
const LONGEST_PROVIDER = 'salesforce'; // the longest integration provider in the CRD
const LONGEST_AGENT = [...AGENT_NAMES].sort((a, b) => b.length - a.length)[0];

/** Each derived name for the longest valid tenant name, and the limit of the service that holds it. */
const DERIVED: Record<keyof typeof names, { value: string; limit: number; unit: 'bytes' | 'characters'; why: string }> = {
  pgSchema: { value: names.pgSchema(LONGEST), limit: PG_IDENTIFIER_MAX_BYTES, unit: 'bytes', why: 'PostgreSQL NAMEDATALEN - 1' },
  pgOwnerRole: { value: names.pgOwnerRole(LONGEST), limit: PG_IDENTIFIER_MAX_BYTES, unit: 'bytes', why: 'PostgreSQL NAMEDATALEN - 1' },
  pgRuntimeRole: { value: names.pgRuntimeRole(LONGEST), limit: PG_IDENTIFIER_MAX_BYTES, unit: 'bytes', why: 'PostgreSQL NAMEDATALEN - 1' },
  iamRole: { value: names.iamRole(LONGEST), limit: IAM_ROLE_NAME_MAX, unit: 'characters', why: 'IAM RoleName' },
  s3Prefix: { value: names.s3Prefix(LONGEST), limit: 1024, unit: 'bytes', why: 'S3 object key' },
  s3Marker: { value: names.s3Marker(LONGEST), limit: 1024, unit: 'bytes', why: 'S3 object key' },
  secretsPath: { value: names.secretsPath(SECRETS_PREFIX_MAX, LONGEST), limit: 512, unit: 'characters', why: 'Secrets Manager secret name' },
  dbSecret: { value: names.dbSecret(SECRETS_PREFIX_MAX, LONGEST), limit: 512, unit: 'characters', why: 'Secrets Manager secret name' },
  integrationSecret: {
    value: names.integrationSecret(SECRETS_PREFIX_MAX, LONGEST, LONGEST_PROVIDER),
    limit: 512,
    unit: 'characters',
    why: 'Secrets Manager secret name',
  },
  pooledSecret: { value: names.pooledSecret(SECRETS_PREFIX_MAX, LONGEST), limit: 512, unit: 'characters', why: 'Secrets Manager secret name' },
  ecsStartedBy: { value: names.ecsStartedBy(LONGEST, LONGEST_AGENT), limit: 128, unit: 'characters', why: 'ECS RunTask startedBy' },
};

describe('the tenant name limit', () => {
  it('is the limit docs/ARCHITECTURE.md states, with the headroom it states under both binding limits', () => {
    const architecture = readFileSync(new URL('../../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
    const headroom = Math.min(PG_IDENTIFIER_MAX_BYTES - 'tenant__runtime'.length, IAM_ROLE_NAME_MAX - 'openclaw-tenant-'.length) - MAX_TENANT_NAME_LENGTH;
    expect(architecture).toContain(`at most **${MAX_TENANT_NAME_LENGTH}** characters`);
    expect(architecture).toContain(`${MAX_TENANT_NAME_LENGTH} leaves ${headroom} characters of headroom`);
  });

  it('accepts a 40-character name', () => {
    expect(problems(manifest({ name: LONGEST }))).toEqual([]);
    expect(validate(manifest({ name: LONGEST })).tenants.map((t) => t.name)).toEqual([LONGEST]);
  });

  it('rejects a 41-character name, saying how long it is and why the limit exists', () => {
    const name = `${LONGEST}x`;
    expect(problems(manifest({ name }))).toEqual([`${FILE}:4:9 metadata.name: "${name}" is 41 characters long (${NAME_RULE})`]);
  });

  it('has a limit for every name derived in contract/names.ts', () => {
    expect(Object.keys(DERIVED).sort()).toEqual(Object.keys(names).sort());
  });

  it.each(Object.entries(DERIVED))('keeps the derived name %s of the longest valid tenant within its limit', (_key, { value, limit, unit }) => {
    const size = unit === 'bytes' ? Buffer.byteLength(value, 'utf8') : value.length;
    expect(size).toBeLessThanOrEqual(limit);
    expect(value).toContain(unit === 'bytes' && value.startsWith('tenant_') ? LONGEST.replaceAll('-', '_') : LONGEST);
  });

  it('derives PostgreSQL names that need no quoting and IAM names with only allowed characters', () => {
    for (const key of ['pgSchema', 'pgOwnerRole', 'pgRuntimeRole'] as const) expect(DERIVED[key].value).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(DERIVED.iamRole.value).toMatch(/^[\w+=,.@-]+$/);
  });
});

/** Written as a YAML double-quoted string, so that any of these can be the value of metadata.name. */
const quoted = (name: string) => JSON.stringify(name);

describe('hostile tenant names', () => {
  const rejectedCharacter: [string, string, string][] = [
    ['a double quote', 'ac"me', 'character 3 "\\"" (U+0022)'],
    ['a single quote', "ac'me", `character 3 "'" (U+0027)`],
    ['a semicolon', 'acme;drop', 'character 5 ";" (U+003B)'],
    ['a parent-directory reference', '..', 'character 1 "." (U+002E)'],
    ['a path traversal', '../etc', 'character 1 "." (U+002E)'],
    ['a slash', 'acme/other', 'character 5 "/" (U+002F)'],
    ['an uppercase letter', 'Acme', 'character 1 "A" (U+0041)'],
    ['an underscore, which would collide after the hyphen-to-underscore mapping', 'ac_me', 'character 3 "_" (U+005F)'],
    ['a space', 'ac me', 'character 3 " " (U+0020)'],
    ['a Cyrillic "а" that looks like a Latin "a"', '\u0430cme', 'character 1 "\u0430" (U+0430)'],
    ['a full-width "ａ"', '\uff41cme', 'character 1 "\uff41" (U+FF41)'],
    ['an invisible zero-width joiner', 'ac\u200dme', 'character 3 "\\u200d" (U+200D)'],
    ['a right-to-left override', 'ac\u202eme', 'character 3 "\\u202e" (U+202E)'],
    ['SQL injection', "x'; DROP SCHEMA public; --", `character 2 "'" (U+0027)`],
  ];

  it.each(rejectedCharacter)('rejects a name with %s, naming the character and its code point', (_what, name, character) => {
    const result = validate(manifest({ name: quoted(name) }));
    expect(result.tenants).toEqual([]);
    expect(result.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}`)).toEqual(['4:9 metadata.name']);
    const shown = JSON.stringify(name).replace(/[\u200d\u202e]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
    expect(result.issues[0].message).toBe(`${shown} is not a valid tenant name: ${character} is not allowed (${NAME_RULE})`);
  });

  it('shows an invisible character escaped, so the name in the message does not read as valid', () => {
    const [problem] = problems(manifest({ name: quoted('ac\u200dme') }));
    expect(problem).toContain('"ac\\u200dme"');
    expect(problem).not.toContain('\u200d');
  });

  it.each([
    ['an empty name', ''],
    ['a leading hyphen', '-acme'],
    ['a trailing hyphen', 'acme-'],
    ['only a hyphen', '-'],
  ])('rejects %s', (_what, name) => {
    expect(problems(manifest({ name: quoted(name) }))).toEqual([`${FILE}:4:9 metadata.name: ${JSON.stringify(name)} is not a valid tenant name (${NAME_RULE})`]);
  });

  it('rejects a 300-character name with its length and a shortened echo of it', () => {
    const name = 'a'.repeat(300);
    expect(problems(manifest({ name }))).toEqual([`${FILE}:4:9 metadata.name: "${'a'.repeat(76)}... is 300 characters long (${NAME_RULE})`]);
  });

  it('rejects a name that YAML reads as a number or null, saying what it found', () => {
    expect(problems(manifest({ name: '1234' }))).toEqual([`${FILE}:4:9 metadata.name: expected string, found number 1234`]);
    expect(problems(manifest({ name: '~' }))).toEqual([`${FILE}:4:9 metadata.name: expected string, found null`]);
  });

  it('accepts a name of digits and inner hyphens', () => {
    expect(problems(manifest({ name: quoted('0-acme-2') }))).toEqual([]);
  });
});
