/**
 * Client-side rate limits per AWS service and call class (read/write), as token buckets whose
 * rate adapts AIMD-style: a throttling answer halves the bucket's rate (multiplicative decrease,
 * down to `floor` of the configured rate); every success gives back a small step (additive
 * increase) until the configured rate is reached again. Clock and sleep are injected.
 */
export interface RateLimit {
  /** Sustained calls per second. */
  perSecond: number;
  /** Calls allowed at once after an idle period. */
  burst: number;
}

export type CallClass = 'read' | 'write';

/**
 * Defaults, per service and call class. Sources:
 * - IAM publishes no request rate; AWS describes token buckets per API and account
 *   (AWS Security Blog, "How to monitor and query IAM resources at scale – Part 2") and the
 *   control plane is shared by the whole account: 10 writes/s and 10 reads/s (reads are large
 *   GetAccountAuthorizationDetails pages), lowered further by AIMD when IAM says so.
 * - Secrets Manager: 50/s for the combined writes (PutSecretValue/UpdateSecret…, TagResource/
 *   UntagResource, RestoreSecret, Create/Delete) per account and region (Secrets Manager quotas,
 *   reference_limits): we take half, 25/s, leaving room for everything else in the account;
 *   reads (ListSecrets/DescribeSecret/GetSecretValue) have far higher quotas: 50/s.
 * - S3: 3,500 PUT/COPY/POST/DELETE and 5,500 GET/HEAD per second per prefix (S3 performance
 *   guidelines); the bucket is shared with the tenants' agents, so 200/s each.
 * - STS: GetCallerIdentity runs once at start: 5/s.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = Object.freeze({
  'iam:read': { perSecond: 10, burst: 10 },
  'iam:write': { perSecond: 10, burst: 10 },
  'secretsmanager:read': { perSecond: 50, burst: 50 },
  'secretsmanager:write': { perSecond: 25, burst: 25 },
  's3:read': { perSecond: 200, burst: 200 },
  's3:write': { perSecond: 200, burst: 200 },
  'sts:read': { perSecond: 5, burst: 5 },
  'sts:write': { perSecond: 5, burst: 5 },
});

const FALLBACK: RateLimit = { perSecond: 10, burst: 10 };

/** Operations that only read: never counted as writes by the rate limits or the benchmarks. */
export function callClass(operation: string): CallClass {
  return /^(Get|List|Describe|Head)/.test(operation) ? 'read' : 'write';
}

interface Bucket {
  base: RateLimit;
  rate: number;
  tokens: number;
  last: number;
}

export interface AdaptiveRateLimiterOptions {
  limits?: Partial<Record<string, RateLimit>>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Lowest rate as a fraction of the configured one (default 1/32). */
  floor?: number;
  /** Successes needed to climb back from the floor to the configured rate (default 100). */
  recoverySteps?: number;
}

export class AdaptiveRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly floor: number;
  private readonly step: number;

  constructor(private readonly options: AdaptiveRateLimiterOptions) {
    this.floor = options.floor ?? 1 / 32;
    this.step = 1 / (options.recoverySteps ?? 100);
  }

  /** Waits until a call of `key` (e.g. 'iam:write') may go out. */
  async acquire(key: string): Promise<void> {
    const bucket = this.bucket(key);
    for (;;) {
      this.refill(bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      await this.options.sleep(Math.ceil(((1 - bucket.tokens) / bucket.rate) * 1000));
    }
  }

  /** Multiplicative decrease: the service said slow down. */
  throttled(key: string): void {
    const bucket = this.bucket(key);
    this.refill(bucket);
    bucket.rate = Math.max(bucket.base.perSecond * this.floor, bucket.rate / 2);
    bucket.tokens = Math.min(bucket.tokens, 0);
  }

  /** Additive increase, back up to the configured rate. */
  succeeded(key: string): void {
    const bucket = this.bucket(key);
    if (bucket.rate < bucket.base.perSecond) bucket.rate = Math.min(bucket.base.perSecond, bucket.rate + bucket.base.perSecond * this.step);
  }

  /** The current rate of `key`, in calls per second. */
  rate(key: string): number {
    return this.bucket(key).rate;
  }

  private bucket(key: string): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const base = this.options.limits?.[key] ?? DEFAULT_RATE_LIMITS[key] ?? FALLBACK;
      bucket = { base, rate: base.perSecond, tokens: base.burst, last: this.options.now() };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private refill(bucket: Bucket): void {
    const now = this.options.now();
    const burst = Math.max(1, bucket.base.burst * (bucket.rate / bucket.base.perSecond));
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.last) / 1000) * bucket.rate);
    bucket.last = now;
  }
}
