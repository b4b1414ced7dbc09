// The dispatcher: one SDK middleware per attached client that routes each command to the in-memory
// service, after recording the call and applying latency, targeted failures, rate limits, throttling
// and faults — all on the injected clock and random source.
import { AwsFault, defaultStatus, serviceError, toSdkError, type ServiceName } from './errors.js';
import { TokenBucket, type Env } from './options.js';

export interface AwsCall {
  service: string;
  operation: string;
  input: unknown;
  error?: string;
  at: number;
  /** The access key id the call was signed with, when the client had credentials (an STS session's, a principal's). */
  caller?: string;
}

export interface FailMatch {
  service?: string;
  operation?: string;
  times?: number;
  /** The call reaches the service and takes effect; only its answer is lost (a timeout, a dropped connection). */
  after?: boolean;
}

export interface FailError {
  name: string;
  message?: string;
  status?: number;
}

/** Who makes a call: the access key id of the client's credentials (an STS session's, or any other). */
export interface Caller {
  accessKeyId?: string;
}

export type Handler = (input: any, caller: Caller) => unknown;
/** Runs before each call reaches its service; throws an AwsFault to refuse it (STS sessions' authorization). */
export type Authorizer = (service: ServiceName, operation: string, input: Record<string, unknown>, caller: Caller) => void;
type CredentialSource = () => Promise<{ accessKeyId?: string }>;
/** An SDK command output as a service handler returns it (the dispatcher adds $metadata). */
export type Out<T> = Omit<T, '$metadata'>;
export type ServiceHandlers = Record<string, Handler>;

export class Dispatcher {
  readonly calls: AwsCall[] = [];
  private failures: Array<FailMatch & { remaining: number; error: FailError }> = [];
  private buckets = new Map<ServiceName, TokenBucket>();
  private requests = 0;

  constructor(
    private readonly env: Env,
    private readonly services: Record<ServiceName, ServiceHandlers>,
    private readonly authorize?: Authorizer,
  ) {}

  middleware(service: ServiceName, credentials?: CredentialSource) {
    return (_next: unknown, context: { commandName?: string }) => async (args: { input?: unknown }) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const caller: Caller = credentials ? { accessKeyId: (await credentials()).accessKeyId } : {};
      const output = await this.invoke(service, operation, args.input ?? {}, caller);
      return { output, response: {} };
    };
  }

  async invoke(service: ServiceName, operation: string, input: unknown, caller: Caller = {}): Promise<Record<string, unknown>> {
    const call: AwsCall = { service, operation, input, at: this.env.now(), ...(caller.accessKeyId ? { caller: caller.accessKeyId } : {}) };
    this.calls.push(call);
    const requestId = `aws-double-${++this.requests}`;
    const { latencyMs, sleep } = this.env.options;
    if (latencyMs > 0) await sleep(latencyMs);
    try {
      const lost = this.inject(service, operation);
      const handler = this.services[service][operation];
      if (!handler) throw new AwsFault('UnsupportedOperation', `aws-double does not implement ${service}:${operation}`);
      this.authorize?.(service, operation, isRecord(input) ? input : {}, caller);
      const result = (await handler(input, caller)) as Record<string, unknown> | undefined;
      if (lost) throw lost;
      return { ...compact(result), $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 } };
    } catch (e) {
      if (!(e instanceof AwsFault)) throw e;
      const error = toSdkError(service, e, requestId);
      call.error = error.name;
      throw error;
    }
  }

  failNext(match: FailMatch, error: FailError): void {
    const operation = match.operation?.replace(/Command$/, '');
    const service = match.service === 'secrets' ? 'secretsmanager' : match.service;
    this.failures.push({ ...match, service, operation, remaining: match.times ?? 1, error });
  }

  resetRateLimits(): void {
    this.buckets.clear();
  }

  /** Throws the error a call fails with before it takes effect; returns the one it fails with after. */
  private inject(service: ServiceName, operation: string): AwsFault | undefined {
    const rule = this.failures.find(
      (f) => (!f.service || f.service === service) && (!f.operation || f.operation === operation),
    );
    if (rule) {
      if (--rule.remaining <= 0) this.failures.splice(this.failures.indexOf(rule), 1);
      const { name, message, status } = rule.error;
      const fault = new AwsFault(name, message ?? `${name} (injected)`, status ?? defaultStatus(name));
      if (rule.after) return fault;
      throw fault;
    }
    const { rateLimits, throttleRate, faultRate } = this.env.options;
    const limit = rateLimits?.[service];
    if (limit) {
      let bucket = this.buckets.get(service);
      if (!bucket || bucket.limit !== limit) this.buckets.set(service, (bucket = new TokenBucket(limit, this.env.now())));
      if (!bucket.take(1, this.env.now())) throw throttled(service);
    }
    if (throttleRate > 0 && this.env.random() < throttleRate) throw throttled(service);
    if (faultRate > 0 && this.env.random() < faultRate) throw serviceError(service, 'internal');
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Drops undefined members, as the SDK's deserializers leave absent members out of an output. */
function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, compact(v)])) as T;
}

export function throttled(service: ServiceName): AwsFault {
  return serviceError(service, 'throttling');
}
