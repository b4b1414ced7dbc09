import { describe, expect, it } from 'vitest';
import { normalizePolicy, samePolicy } from '../../controller/resources/iam/policy.js';

/** A policy document as the tests vary it: any field may become a list, any list a single value. */
interface Statement { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: { StringLike: Record<string, string | string[]> } }
const policy: { Version: string; Statement: Statement[] } = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Objects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/tenants/acme/*' },
    { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': ['tenants/acme/', 'tenants/acme/*'] } } },
  ],
};

/** What IAM hands back: its own key order and spacing, URL-encoded. */
const asIamReturnsIt = (doc: unknown) => encodeURIComponent(JSON.stringify(doc, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v), 1));

describe('policy normalization', () => {
  it('sees a URL-encoded document with reordered keys and other spacing as the same policy', () => {
    expect(samePolicy(asIamReturnsIt(policy), policy)).toBe(true);
  });

  it('treats a one-element array as its element and ignores the order and repetition of strings', () => {
    const variant = structuredClone(policy);
    variant.Statement[0].Action = ['s3:PutObject', 's3:GetObject', 's3:PutObject'];
    variant.Statement[0].Resource = ['arn:aws:s3:::b/tenants/acme/*'];
    variant.Statement[1].Action = ['s3:ListBucket'];
    variant.Statement[1].Condition!.StringLike['s3:prefix'] = ['tenants/acme/*', 'tenants/acme/'];
    expect(samePolicy(variant, policy)).toBe(true);
  });

  it('ignores the order of statements', () => {
    expect(samePolicy({ ...policy, Statement: [...policy.Statement].reverse() }, policy)).toBe(true);
  });

  it('sees an added statement, a widened resource or a changed condition as a different policy', () => {
    expect(samePolicy({ ...policy, Statement: [...policy.Statement, { Effect: 'Allow', Action: 's3:*', Resource: '*' }] }, policy)).toBe(false);
    const widened = structuredClone(policy);
    widened.Statement[0].Resource = 'arn:aws:s3:::b/tenants/*';
    expect(samePolicy(widened, policy)).toBe(false);
    const loosened = structuredClone(policy);
    loosened.Statement[1].Condition!.StringLike['s3:prefix'] = 'tenants/*';
    expect(samePolicy(loosened, policy)).toBe(false);
  });

  it('never equals a document it cannot parse', () => {
    expect(samePolicy('{not json', policy)).toBe(false);
  });

  it('produces one canonical form with sorted keys', () => {
    expect(Object.keys(normalizePolicy(asIamReturnsIt(policy)) as object)).toEqual(['Statement', 'Version']);
  });
});
