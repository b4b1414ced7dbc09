// The double's options, resolved with their defaults, and the world the services see through them:
// the injected clock and random source, and token buckets that run on that clock.
import type { ServiceName } from './errors.js';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface AwsDoubleOptions {
  accountId?: string;
  region?: string;
  latencyMs?: number;
  throttleRate?: number;
  faultRate?: number;
  rateLimits?: Partial<Record<ServiceName, RateLimit>>;
  eventualConsistencyMs?: number;
  /** IAM roles per account (AWS default quota 1,000). */
  iamMaxRoles?: number;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type ResolvedOptions = Required<Omit<AwsDoubleOptions, 'rateLimits'>> & Pick<AwsDoubleOptions, 'rateLimits'>;

export function resolveOptions(options: AwsDoubleOptions = {}): ResolvedOptions {
  return {
    accountId: '123456789012',
    region: 'us-east-1',
    latencyMs: 0,
    throttleRate: 0,
    faultRate: 0,
    eventualConsistencyMs: 0,
    iamMaxRoles: 1000,
    random: Math.random,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...stripUndefined(options),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What every in-memory service sees of the world: the live options, clock and random source. */
export interface Env {
  readonly options: ResolvedOptions;
  now(): number;
  random(): number;
}

/** A token bucket on the injected clock. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.last = now;
  }
  take(n: number, now: number): boolean {
    this.tokens = Math.min(this.limit.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.limit.perSecond);
    this.last = Math.max(this.last, now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}
