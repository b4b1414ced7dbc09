/**
 * The AWS side of the benchmark: the request quotas the AWS double enforces (server-side token
 * buckets, answering with each service's own throttling error), and the rate floor they imply.
 * The controller's own client-side buckets are separate (controller/providers/aws/rate-limit.ts).
 */
import { callClass, type RateLimit } from '../controller/providers/aws/rate-limit.js';
import { serviceError, toSdkError, type ServiceName } from '../test/aws-double/errors.js';
import { TokenBucket } from '../test/aws-double/options.js';

/** A token bucket on AWS's side: sustained calls per second and the bucket's size. */
export type Quota = RateLimit;

/**
 * Defaults, keyed `service:Operation` (checked first) or `service:read|write` (Get/List/Describe/Head
 * are reads). Sources:
 * - IAM publishes no request rate (AWS Security Blog, "How to monitor and query IAM resources at
 *   scale – Part 2": token buckets per API and account, sizes not published). Modeled with the
 *   controller's own assumption, 10 reads/s and 10 writes/s; the bucket holds 2 s so that event-loop
 *   jitter is not counted as throttling.
 * - Secrets Manager (Secrets Manager quotas, reference_limits.html): CreateSecret, DeleteSecret,
 *   RestoreSecret, PutSecretValue/UpdateSecret…, TagResource/UntagResource are 50/s per region each;
 *   modeled as one shared 50/s write bucket, as the design notes take it (the stricter reading).
 *   DescribeSecret + GetSecretValue: 10,000/s combined. ListSecrets: not in the stored copy of that
 *   page; assumed 100/s.
 * - S3 (performance guidelines, optimizing-performance.html): 3,500 PUT/COPY/POST/DELETE and 5,500
 *   GET/HEAD per second per partitioned prefix; modeled for the whole bucket (stricter).
 * - STS GetCallerIdentity: once per controller start; 100/s.
 * - ECS RunTask on Fargate (burst 100, then 20/s): enforced by the double's own ECS launch bucket.
 */
export const AWS_QUOTAS: Readonly<Record<string, Quota>> = Object.freeze({
  'iam:read': { perSecond: 10, burst: 20 },
  'iam:write': { perSecond: 10, burst: 20 },
  'secretsmanager:write': { perSecond: 50, burst: 50 },
  'secretsmanager:ListSecrets': { perSecond: 100, burst: 100 },
  'secretsmanager:read': { perSecond: 10_000, burst: 10_000 },
  's3:write': { perSecond: 3_500, burst: 3_500 },
  's3:read': { perSecond: 5_500, burst: 5_500 },
  'sts:read': { perSecond: 100, burst: 100 },
});

export const QUOTA_SOURCES: Readonly<Record<string, string>> = Object.freeze({
  iam: 'unpublished (AWS Security Blog, "How to monitor and query IAM resources at scale – Part 2"); modeled as the controller assumes it',
  secretsmanager: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html (writes 50/s per operation group, modeled shared; DescribeSecret+GetSecretValue 10,000/s; ListSecrets assumed 100/s)',
  s3: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html (3,500 writes / 5,500 reads per second per prefix, modeled per bucket)',
  sts: 'one GetCallerIdentity per start; assumed 100/s',
  ecs: 'Amazon ECS API throttling: Fargate task launches burst 100, then 20/s (the double\'s ECS launch bucket)',
});

/** `iam:write=20/40,s3:read=100` → { 'iam:write': { perSecond: 20, burst: 40 }, 's3:read': { perSecond: 100, burst: 100 } }. */
export function parseLimits(text: string): Record<string, Quota> {
  const result: Record<string, Quota> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9]+:[A-Za-z]+)=(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`${JSON.stringify(part)} is not service:class=perSecond[/burst], e.g. iam:write=20/40`);
    const perSecond = Number(match[2]);
    result[match[1]] = { perSecond, burst: match[3] ? Number(match[3]) : Math.max(1, Math.ceil(perSecond)) };
  }
  return result;
}

/** The inverse of parseLimits: what a child process is handed to hold the same limits. */
export function formatLimits(limits: Readonly<Record<string, Quota>>): string {
  return Object.entries(limits).map(([key, { perSecond, burst }]) => `${key}=${perSecond}/${burst}`).join(',');
}

/** The quota a call counts against: its operation's own, else its class's. */
export function quotaKey(quotas: Readonly<Record<string, Quota>>, service: string, operation: string): string | undefined {
  const own = `${service}:${operation}`;
  if (quotas[own]) return own;
  const cls = `${service}:${callClass(operation)}`;
  return quotas[cls] ? cls : undefined;
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void; remove(name: string): boolean };
}

/**
 * The account's quotas, enforced on every SDK client attached (all controllers on one AWS double share
 * them). Attach before the AWS double: the check then runs outside it and inside the provider's call
 * counter. A throttled call costs one round trip and is answered with the service's own throttling
 * error (IAM Throttling, S3 SlowDown, Secrets Manager ThrottlingException).
 */
export class AccountQuotas {
  /** Throttled calls by `service:Operation`. */
  readonly throttled = new Map<string, number>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: { quotas: Readonly<Record<string, Quota>>; latencyMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> }) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  }

  attach(clients: Record<string, unknown>): void {
    const services: Record<string, ServiceName> = { iam: 'iam', s3: 's3', secrets: 'secretsmanager', sts: 'sts' };
    for (const [key, client] of Object.entries(clients)) {
      const service = services[key];
      if (!service) continue;
      const stack = (client as MiddlewareClient).middlewareStack;
      stack.remove('benchQuota');
      stack.add(
        (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          await this.admit(service, (context.commandName ?? 'Unknown').replace(/Command$/, ''));
          return next(args);
        },
        { step: 'initialize', priority: 'high', name: 'benchQuota' },
      );
    }
  }

  totalThrottled(): number {
    return [...this.throttled.values()].reduce((a, b) => a + b, 0);
  }

  private async admit(service: ServiceName, operation: string): Promise<void> {
    const key = quotaKey(this.options.quotas, service, operation);
    if (!key) return;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(this.options.quotas[key], this.now())));
    if (bucket.take(1, this.now())) return;
    const name = `${service}:${operation}`;
    this.throttled.set(name, (this.throttled.get(name) ?? 0) + 1);
    if (this.options.latencyMs > 0) await this.sleep(this.options.latencyMs);
    throw toSdkError(service, serviceError(service, 'throttling'), `bench-quota-${name}`);
  }
}

export interface FloorPart {
  writes: number;
  perSecond: number;
  seconds: number;
}

/**
 * The API-rate floor: for each service, the writing calls a converge cannot do without divided by
 * that service's write quota; the slowest service decides.
 */
export function rateFloor(minimumWrites: Record<string, number>, quotas: Readonly<Record<string, Quota>>): { seconds: number; service: string; byService: Record<string, FloorPart> } {
  const byService: Record<string, FloorPart> = {};
  let slowest = { service: 'none', seconds: 0 };
  for (const [service, writes] of Object.entries(minimumWrites)) {
    const perSecond = quotas[`${service}:write`]?.perSecond ?? Number.POSITIVE_INFINITY;
    const seconds = writes / perSecond;
    byService[service] = { writes, perSecond, seconds: round(seconds) };
    if (seconds > slowest.seconds) slowest = { service, seconds };
  }
  return { seconds: round(slowest.seconds), service: slowest.service, byService };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
