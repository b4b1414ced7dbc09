// An in-memory, stateful AWS (IAM, S3, Secrets Manager, STS, ECS) that real SDK v3 clients reach
// through their middleware stack. See README.md in this folder.
import { Dispatcher, type AwsCall, type Caller, type FailError, type FailMatch } from './core.js';
import { resolveOptions, type AwsDoubleOptions, type Env } from './options.js';
import { EcsState } from './ecs-state.js';
import { ecsHandlers } from './ecs.js';
import type { ServiceName } from './errors.js';
import { IamState } from './iam-state.js';
import { iamHandlers } from './iam.js';
import { S3State, s3Handlers } from './s3.js';
import { SecretsState } from './secrets-state.js';
import { secretsHandlers } from './secrets.js';
import { SnsState, snsHandlers } from './sns.js';
import { StsState, stsHandlers } from './sts.js';
import { sessionAuthorizer } from './authorize.js';
import { SesState, sesHandlers } from './ses.js';
import { QuotasState, quotasHandlers } from './quotas.js';

export type { AwsCall, FailError, FailMatch } from './core.js';
export type { AwsDoubleOptions, RateLimit } from './options.js';
export type { ServiceName } from './errors.js';
export type { IamRoleRecord } from './iam-state.js';
export type { S3Bucket, S3ObjectRecord, S3Version, Versioning } from './s3.js';
export type { SecretRecord, SecretVersion } from './secrets-state.js';
export type { SentEmail, SesAccount } from './ses.js';
export type { SnsMessage } from './sns.js';
export type { EcsTaskRecord, EcsTiming, TaskMatcher, TaskOutcome } from './ecs-state.js';
export type { IamState, S3State, SecretsState, EcsState, StsState, SesState, SnsState, QuotasState };
export { IAM_ROLES_QUOTA_CODE } from './quotas.js';
export { INLINE_POLICY_QUOTA, TRUST_POLICY_QUOTA } from './iam-policy.js';
export { MAX_LIFECYCLE_RULES } from './s3-lifecycle.js';
export { createManualClock, seededRandom, type ManualClock } from './testing.js';
export { createDoubleClients, type DoubleClients } from './clients.js';

export interface AwsDoubleState {
  iam: IamState;
  s3: S3State;
  secrets: SecretsState;
  sts: StsState;
  ecs: EcsState;
  ses: SesState;
  sns: SnsState;
  quotas: QuotasState;
}

export interface AwsDouble {
  attach(client: { middlewareStack: any; config?: { credentials?: unknown } }, service: ServiceName): void;
  attachAll(clients: { iam?: any; s3?: any; secrets?: any; sts?: any; ecs?: any; ses?: any; sns?: any; quotas?: any }): void;
  /**
   * One call as an attached client makes it (recorded, with latency and injected failures): the
   * output with `$metadata`, or the SDK's exception. The HTTP endpoint (http/) serves calls through it.
   */
  invoke(service: ServiceName, operation: string, input: unknown, caller?: Caller): Promise<Record<string, unknown>>;
  /** Every call, in order (including those that failed, with the SDK error name). */
  readonly calls: AwsCall[];
  /** 'iam:CreateRole' → number of calls. */
  countsByOperation(): Record<string, number>;
  /** Calls that change state (every operation that is not Get*, List*, Describe* or Head*). */
  writeCalls(): AwsCall[];
  resetCalls(): void;
  failNext(match: FailMatch, error: FailError): void;
  setOptions(partial: Partial<AwsDoubleOptions>): void;
  readonly state: AwsDoubleState;
}

const READ = /^(Get|List|Describe|Head)/;

/** The access key the client signs with, so the double knows which caller (an STS session?) it is; none when it has none. */
function callerCredentials(client: { config?: { credentials?: unknown } }): () => Promise<{ accessKeyId?: string }> {
  const source = client.config?.credentials;
  return async () => {
    if (typeof source !== 'function') return {};
    try {
      const resolved: unknown = await source();
      return typeof resolved === 'object' && resolved !== null && 'accessKeyId' in resolved && typeof resolved.accessKeyId === 'string' ? { accessKeyId: resolved.accessKeyId } : {};
    } catch {
      return {};
    }
  };
}

export function createAwsDouble(options: AwsDoubleOptions = {}): AwsDouble {
  const env: Env & { options: ReturnType<typeof resolveOptions> } = {
    options: resolveOptions(options),
    now: () => env.options.now(),
    random: () => env.options.random(),
  };
  const iam = new IamState(env);
  const state: AwsDoubleState = {
    iam,
    s3: new S3State(env.random),
    secrets: new SecretsState(env),
    sts: new StsState(env, iam),
    ecs: new EcsState(env),
    ses: new SesState(env),
    sns: new SnsState(env),
    quotas: new QuotasState(env),
  };
  const dispatcher = new Dispatcher(env, {
    iam: iamHandlers(state.iam, env),
    s3: s3Handlers(state.s3, env),
    secretsmanager: secretsHandlers(state.secrets, env),
    sts: stsHandlers(state.sts, env),
    ecs: ecsHandlers(state.ecs, env),
    sesv2: sesHandlers(state.ses, env),
    sns: snsHandlers(state.sns),
    servicequotas: quotasHandlers(state.quotas, env),
  }, sessionAuthorizer(state.sts, state.secrets, state.ses, env.options));

  const double: AwsDouble = {
    attach(client, service) {
      client.middlewareStack.remove('awsDouble');
      client.middlewareStack.add(dispatcher.middleware(service, callerCredentials(client)), { step: 'initialize', name: 'awsDouble', priority: 'high' });
    },
    attachAll(clients) {
      const pairs: Array<[unknown, ServiceName]> = [
        [clients.iam, 'iam'],
        [clients.s3, 's3'],
        [clients.secrets, 'secretsmanager'],
        [clients.sts, 'sts'],
        [clients.ecs, 'ecs'],
        [clients.ses, 'sesv2'],
        [clients.sns, 'sns'],
        [clients.quotas, 'servicequotas'],
      ];
      for (const [client, service] of pairs) if (client) double.attach(client as { middlewareStack: any }, service);
    },
    invoke: (service, operation, input, caller) => dispatcher.invoke(service, operation, input, caller),
    calls: dispatcher.calls,
    countsByOperation() {
      const counts: Record<string, number> = {};
      for (const c of dispatcher.calls) counts[`${c.service}:${c.operation}`] = (counts[`${c.service}:${c.operation}`] ?? 0) + 1;
      return counts;
    },
    writeCalls: () => dispatcher.calls.filter((c) => !READ.test(c.operation)),
    resetCalls: () => void dispatcher.calls.splice(0),
    failNext: (match, error) => dispatcher.failNext(match, error),
    setOptions(partial) {
      const next = resolveOptions({ ...env.options, ...partial });
      if (partial.rateLimits !== undefined) dispatcher.resetRateLimits();
      env.options = next;
    },
    state,
  };
  return double;
}
