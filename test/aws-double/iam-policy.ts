// IAM policy documents: validation with IAM's own messages, size as IAM counts it (no whitespace),
// and the form IAM hands documents back in — re-serialized with its own key order and spacing, then
// URL-encoded — so a controller must normalize before comparing.
import { fail } from './errors.js';

export type PolicyKind = 'identity' | 'trust';

/** Inline policies per role, in non-whitespace characters; trust policy per role. */
export const INLINE_POLICY_QUOTA = 10_240;
export const TRUST_POLICY_QUOTA = 2_048;

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const VENDOR_ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

function malformed(message: string): never {
  fail('MalformedPolicyDocument', message);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Parses and validates a policy document as IAM does for an inline (identity) or trust policy. */
export function validatePolicy(document: string | undefined, kind: PolicyKind): void {
  if (typeof document !== 'string' || document.length === 0) fail('ValidationError', 'policyDocument is required');
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    malformed('Syntax errors in policy.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) malformed('Syntax errors in policy.');
  const { Version, Statement } = doc as Record<string, unknown>;
  if (Version !== undefined && !VERSIONS.has(String(Version))) malformed('The policy must contain a valid version string');
  if (Statement === undefined || (Array.isArray(Statement) && Statement.length === 0)) malformed('Syntax errors in policy.');
  const sids = new Set<string>();
  for (const raw of asList(Statement)) {
    if (typeof raw !== 'object' || raw === null) malformed('Syntax errors in policy.');
    const s = raw as Record<string, unknown>;
    if (typeof s.Sid === 'string') {
      if (sids.has(s.Sid)) malformed('Statement IDs (SID) in a single policy must be unique.');
      sids.add(s.Sid);
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') malformed('Syntax errors in policy.');
    const actions = s.Action ?? s.NotAction;
    if (actions === undefined) malformed('Policy statement must contain actions.');
    for (const a of asList(actions)) {
      if (typeof a !== 'string' || !VENDOR_ACTION.test(a)) {
        malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      }
    }
    const resources = s.Resource ?? s.NotResource;
    if (kind === 'trust') {
      if (resources !== undefined) malformed('Has prohibited field Resource');
      if (s.Principal === undefined && s.NotPrincipal === undefined) malformed('Missing required field Principal');
      continue;
    }
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
      malformed('Policy document should not specify a principal.');
    }
    if (resources === undefined) malformed('Policy statement must contain resources.');
    for (const r of asList(resources)) {
      if (typeof r !== 'string' || (r !== '*' && !r.startsWith('arn:'))) {
        malformed(`Resource ${String(r)} must be in ARN format or "*".`);
      }
    }
  }
}

export function checkTrustPolicy(document: string | undefined): void {
  validatePolicy(document, 'trust');
  if (policySize(document!) > TRUST_POLICY_QUOTA) {
    fail('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`, 409);
  }
}

/** Policy size as IAM counts it against quotas: characters other than whitespace. */
export function policySize(document: string): number {
  return document.replace(/\s+/g, '').length;
}

function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reorder(v)]),
  );
}

/** A stored document as IAM returns it: keys in another order, its own spacing, URL-encoded. */
export function renderPolicy(document: string): string {
  return encodeURIComponent(JSON.stringify(reorder(JSON.parse(document)), null, 1).replace(/\n\s*/g, ' '));
}
