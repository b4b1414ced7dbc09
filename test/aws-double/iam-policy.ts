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

// ---- Evaluation: what IAM decides for one request against a set of documents ----------------------
// Enough of IAM's evaluation logic for trust policies (sts:AssumeRole, sts:TagSession) and the
// identity policies of assumed-role sessions: Action/NotAction, Resource/NotResource, Principal,
// the string, ARN, Bool and Null condition operators with the ForAllValues/ForAnyValue qualifiers and
// ...IfExists, and policy variables (${aws:PrincipalTag/tenant}, ${aws:username} …) in resources and
// condition values. A variable whose key the request lacks makes its statement not apply, as in IAM.

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface EvaluationRequest {
  action: string;
  /** The ARN acted on; absent for trust policies. */
  resource?: string;
  /** For trust policies: the caller's ARNs (a session's assumed-role ARN and the role's own ARN). */
  principals?: string[];
  /** Condition keys, looked up without regard to case: aws:PrincipalTag/tenant, aws:RequestTag/tenant, aws:TagKeys … */
  context: Record<string, string | string[] | undefined>;
}

type Statement = Record<string, unknown>;

function glob(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'si' : 's').test(value);
}

function lookup(context: EvaluationRequest['context'], key: string): string[] | undefined {
  const wanted = key.toLowerCase();
  const entry = Object.entries(context).find(([k]) => k.toLowerCase() === wanted);
  if (!entry || entry[1] === undefined) return undefined;
  return Array.isArray(entry[1]) ? entry[1] : [entry[1]];
}

/** Substitutes ${key} policy variables; undefined when a variable's key is missing (the statement does not apply). */
function substitute(text: string, context: EvaluationRequest['context']): string | undefined {
  let missing = false;
  const result = text.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    if (key === '*' || key === '?' || key === '$') return key;
    const value = lookup(context, key);
    if (value === undefined || value.length !== 1) missing = true;
    return value?.[0] ?? '';
  });
  return missing ? undefined : result;
}

function strings(value: unknown): string[] {
  return asList(value).filter((v): v is string => typeof v === 'string');
}

function principalMatches(principal: unknown, principals: readonly string[]): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const aws = strings((principal as Record<string, unknown>).AWS);
  return aws.some((p) => p === '*' || principals.includes(p));
}

const OPERATORS: Record<string, (policy: string, actual: string) => boolean> = {
  StringEquals: (p, a) => p === a,
  StringNotEquals: (p, a) => p !== a,
  StringEqualsIgnoreCase: (p, a) => p.toLowerCase() === a.toLowerCase(),
  StringLike: (p, a) => glob(p, a),
  StringNotLike: (p, a) => !glob(p, a),
  ArnEquals: (p, a) => p === a,
  ArnLike: (p, a) => glob(p, a),
  ArnNotLike: (p, a) => !glob(p, a),
  Bool: (p, a) => p.toLowerCase() === a.toLowerCase(),
};

function conditionHolds(operatorName: string, key: string, policyValues: string[], context: EvaluationRequest['context']): boolean {
  const actual = lookup(context, key);
  if (operatorName === 'Null') return policyValues.some((v) => (v === 'true') === (actual === undefined || actual.length === 0));
  const qualifier = /^(ForAllValues|ForAnyValue):/.exec(operatorName)?.[1];
  const bare = operatorName.replace(/^(ForAllValues|ForAnyValue):/, '');
  const ifExists = bare.endsWith('IfExists');
  const name = ifExists ? bare.slice(0, -'IfExists'.length) : bare;
  const operator = OPERATORS[name];
  if (!operator) throw new Error(`aws-double: condition operator ${operatorName} is not implemented`);
  const negated = name.includes('Not');
  const values = policyValues.map((v) => substitute(v, context)).filter((v): v is string => v !== undefined);
  if (qualifier === 'ForAllValues') return (actual ?? []).every((a) => (negated ? values.every((v) => operator(v, a)) : values.some((v) => operator(v, a))));
  if (qualifier === 'ForAnyValue') return (actual ?? []).some((a) => (negated ? values.every((v) => operator(v, a)) : values.some((v) => operator(v, a))));
  if (actual === undefined) return ifExists || negated;
  return actual.every((a) => (negated ? values.every((v) => operator(v, a)) : values.some((v) => operator(v, a))));
}

function applies(statement: Statement, request: EvaluationRequest): boolean {
  const actionMatch = (list: unknown) => strings(list).some((a) => glob(a, request.action, true));
  if (statement.Action !== undefined ? !actionMatch(statement.Action) : actionMatch(statement.NotAction)) return false;
  if (request.resource !== undefined) {
    const resourceMatch = (list: unknown) => strings(list).some((r) => {
      const pattern = substitute(r, request.context);
      return pattern !== undefined && glob(pattern, request.resource!);
    });
    if (statement.Resource !== undefined ? !resourceMatch(statement.Resource) : statement.NotResource !== undefined && resourceMatch(statement.NotResource)) return false;
  }
  if (request.principals !== undefined && statement.Principal !== undefined && !principalMatches(statement.Principal, request.principals)) return false;
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, strings(values), request.context)));
}

/** IAM's decision for one request: an applying Deny wins, then an applying Allow, else an implicit deny. */
export function evaluatePolicies(documents: readonly string[], request: EvaluationRequest): Decision {
  const statements = documents.flatMap((d) => asList((JSON.parse(d) as { Statement: unknown }).Statement) as Statement[]);
  const matching = statements.filter((s) => applies(s, request));
  if (matching.some((s) => s.Effect === 'Deny')) return 'ExplicitlyDenied';
  return matching.some((s) => s.Effect === 'Allow') ? 'Allowed' : 'ImplicitlyDenied';
}
