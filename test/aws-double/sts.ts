// STS: who the caller is, and AssumeRole with session tags. A session is known by the access key id
// AssumeRole handed out; a client configured with that key acts as the session, and the double then
// authorizes each of its calls against the role's policies with the session's tags as
// aws:PrincipalTag (Dispatcher → StsState.authorize). Callers with any other key are the configured
// principal (the controller by default) and are not authorized call by call, as before.
import type { AssumeRoleCommandInput, AssumeRoleCommandOutput, GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import type { Caller, Out, ServiceHandlers } from './core.js';
import { fail } from './errors.js';
import type { IamState } from './iam-state.js';
import { evaluatePolicies, type EvaluationRequest } from './iam-policy.js';
import type { Env } from './options.js';
import { ids } from './paging.js';

export interface StsSession {
  accessKeyId: string;
  /** The rest of the credentials AssumeRole handed out (STS knows them: it checks the signatures made with them). */
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  arn: string;
  /** Session tags, incoming transitive ones included (aws:PrincipalTag). */
  tags: Record<string, string>;
  /** Keys of the tags that pass on to a session this one starts (role chaining). */
  transitiveKeys: string[];
  expiresAt: number;
}

/** A principal that is not an STS session: its ARN, and its IAM tags (aws:PrincipalTag). */
export interface StsPrincipal {
  arn: string;
  tags?: Record<string, string>;
}

const MAX_SESSION_TAGS = 50;

/** How a service answers a call IAM does not allow: its error code and HTTP status. */
export interface AccessDenial {
  code: string;
  status: number;
}
const ACCESS_DENIED: AccessDenial = { code: 'AccessDenied', status: 403 };

export class StsState {
  /** The caller's ARN; defaults to a role session in the double's account. */
  callerArn?: string;
  readonly userId: string;
  /** Sessions by access key id. */
  readonly sessions = new Map<string, StsSession>();
  /** Other callers by access key id (the worker's role, say); any other key is the default caller. */
  readonly principals = new Map<string, StsPrincipal>();
  constructor(private readonly env: Env, private readonly iam?: IamState) {
    this.userId = ids.iam(env.random, 'AROA');
  }
  arn(): string {
    return this.callerArn ?? `arn:aws:sts::${this.env.options.accountId}:assumed-role/openclaw-controller/aws-double`;
  }

  /** Who calls with this access key: a live session, a registered principal, or the default caller. */
  caller(accessKeyId: string | undefined): { arn: string; roleArn?: string; tags: Record<string, string>; session?: StsSession } {
    const session = accessKeyId ? this.sessions.get(accessKeyId) : undefined;
    if (session) {
      if (session.expiresAt <= this.env.now()) fail('ExpiredToken', 'The security token included in the request is expired', 403);
      return { arn: session.arn, roleArn: session.roleArn, tags: session.tags, session };
    }
    const principal = accessKeyId ? this.principals.get(accessKeyId) : undefined;
    return principal ? { arn: principal.arn, roleArn: principal.arn, tags: principal.tags ?? {} } : { arn: this.arn(), tags: {} };
  }

  /**
   * A session's call, authorized by its role's inline policies with the session's tags. Other callers
   * pass. A refusal is the service's own error: `AccessDenied` (403) unless `denial` names another.
   */
  authorize(accessKeyId: string | undefined, action: string, resource: string, context: Record<string, string | string[] | undefined> = {}, denial: AccessDenial = ACCESS_DENIED): void {
    const session = accessKeyId ? this.sessions.get(accessKeyId) : undefined;
    if (!session) return;
    const who = this.caller(accessKeyId);
    const role = this.iam?.role(session.roleArn.split('/').pop() ?? '');
    const decision = role ? evaluatePolicies([...role.policies.values()], { action, resource, context: { ...principalContext(who.tags), ...context } }) : 'ImplicitlyDenied';
    if (decision !== 'Allowed') {
      const how = decision === 'ExplicitlyDenied' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
      fail(denial.code, `User: ${session.arn} is not authorized to perform: ${action} on resource: ${resource} ${how}`, denial.status);
    }
  }

  assumeRole(input: AssumeRoleCommandInput, accessKeyId: string | undefined): Out<AssumeRoleCommandOutput> {
    const roleArn = input.RoleArn ?? '';
    const sessionName = input.RoleSessionName ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) fail('ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    const duration = input.DurationSeconds ?? 3600;
    if (duration < 900 || duration > 43_200) fail('ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    const who = this.caller(accessKeyId);
    const requested = Object.fromEntries((input.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const requestedKeys = Object.keys(requested);
    if (requestedKeys.length > MAX_SESSION_TAGS) fail('ValidationError', `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SESSION_TAGS}`);
    const lower = new Set<string>();
    for (const key of requestedKeys) {
      if (lower.has(key.toLowerCase())) fail('InvalidParameterValue', `Duplicate tag keys found. Please note that Tag keys are case insensitive.`);
      lower.add(key.toLowerCase());
    }
    const transitive = input.TransitiveTagKeys ?? [];
    for (const key of transitive) {
      if (!lower.has(key.toLowerCase())) fail('InvalidParameterValue', `The specified transitive tag key must be included in the requested tags.`);
    }
    // Tags a previous session in the chain set as transitive cannot be set again, to any value.
    const incoming = who.session ? Object.fromEntries(who.session.transitiveKeys.map((k) => [k, who.session!.tags[k]])) : {};
    for (const key of Object.keys(incoming)) {
      if (lower.has(key.toLowerCase())) fail('InvalidParameterValue', `One or more session tags conflict with transitive tags of the calling session: ${key}`);
    }
    const role = this.iam?.role(roleArn.split('/').pop() ?? '');
    const denied = (action: string) => fail('AccessDenied', `User: ${who.arn} is not authorized to perform: ${action} on resource: ${roleArn}`, 403);
    if (!role || role.Arn !== roleArn) return denied('sts:AssumeRole');
    const context: EvaluationRequest['context'] = {
      ...principalContext(who.tags),
      ...Object.fromEntries(Object.entries(requested).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
      'aws:TagKeys': requestedKeys.length > 0 ? requestedKeys : undefined,
      'sts:TransitiveTagKeys': transitive.length > 0 ? transitive : undefined,
      'sts:RoleSessionName': sessionName,
      'aws:PrincipalArn': who.roleArn ?? who.arn,
    };
    const principals = [who.arn, ...(who.roleArn ? [who.roleArn] : [])];
    const trust = [role.AssumeRolePolicyDocument];
    if (evaluatePolicies(trust, { action: 'sts:AssumeRole', principals, context }) !== 'Allowed') return denied('sts:AssumeRole');
    if (requestedKeys.length > 0 && evaluatePolicies(trust, { action: 'sts:TagSession', principals, context }) !== 'Allowed') return denied('sts:TagSession');
    const session: StsSession = {
      accessKeyId: ids.iam(this.env.random, 'ASIA').slice(0, 20),
      secretAccessKey: ids.alnum(this.env.random, 40),
      sessionToken: ids.alnum(this.env.random, 64),
      roleArn,
      arn: `arn:aws:sts::${this.env.options.accountId}:assumed-role/${role.RoleName}/${sessionName}`,
      tags: { ...incoming, ...requested },
      transitiveKeys: [...Object.keys(incoming), ...transitive],
      expiresAt: this.env.now() + duration * 1000,
    };
    this.sessions.set(session.accessKeyId, session);
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        Expiration: new Date(session.expiresAt),
      },
      AssumedRoleUser: { Arn: session.arn, AssumedRoleId: `${role.RoleId}:${sessionName}` },
      PackedPolicySize: requestedKeys.length > 0 ? Math.min(100, 6 * requestedKeys.length) : undefined,
    };
  }
}

function principalContext(tags: Record<string, string>): EvaluationRequest['context'] {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
}

export function stsHandlers(state: StsState, env: Env): ServiceHandlers {
  return {
    GetCallerIdentity: (_input: unknown, caller: Caller): Out<GetCallerIdentityCommandOutput> => ({
      UserId: `${state.userId}:aws-double`,
      Account: env.options.accountId,
      Arn: state.caller(caller.accessKeyId).arn,
    }),
    AssumeRole: (input: AssumeRoleCommandInput, caller: Caller) => state.assumeRole(input, caller.accessKeyId),
  };
}
