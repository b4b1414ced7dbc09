import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, DEFAULT_RATE_LIMITS, backoffDelay, DEFAULT_RETRY } from '../../controller/providers/aws/index.js';
import { callClass } from '../../controller/providers/aws/rate-limit.js';

function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

describe('the adaptive client-side rate limiter', () => {
  it('lets a burst through at once, then paces calls at the configured rate', async () => {
    const c = clock();
    const limiter = new AdaptiveRateLimiter({ limits: { 'iam:write': { perSecond: 10, burst: 5 } }, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 5; i++) await limiter.acquire('iam:write');
    expect(c.now()).toBe(0);
    for (let i = 0; i < 10; i++) await limiter.acquire('iam:write');
    expect(c.now()).toBeGreaterThanOrEqual(1_000);
    expect(c.now()).toBeLessThan(1_100);
  });

  it('halves a bucket’s rate on each throttle, down to a floor, and climbs back additively on success', () => {
    const c = clock();
    const limiter = new AdaptiveRateLimiter({ limits: { 's3:write': { perSecond: 64, burst: 64 } }, now: c.now, sleep: c.sleep, floor: 1 / 16, recoverySteps: 64 });
    limiter.throttled('s3:write');
    expect(limiter.rate('s3:write')).toBe(32);
    limiter.throttled('s3:write');
    expect(limiter.rate('s3:write')).toBe(16);
    for (let i = 0; i < 10; i++) limiter.throttled('s3:write');
    expect(limiter.rate('s3:write')).toBe(4);
    for (let i = 0; i < 10; i++) limiter.succeeded('s3:write');
    expect(limiter.rate('s3:write')).toBe(14);
    for (let i = 0; i < 100; i++) limiter.succeeded('s3:write');
    expect(limiter.rate('s3:write')).toBe(64);
  });

  it('keeps each service and call class apart', () => {
    const c = clock();
    const limiter = new AdaptiveRateLimiter({ now: c.now, sleep: c.sleep });
    limiter.throttled('iam:write');
    expect(limiter.rate('iam:write')).toBe(DEFAULT_RATE_LIMITS['iam:write'].perSecond / 2);
    expect(limiter.rate('iam:read')).toBe(DEFAULT_RATE_LIMITS['iam:read'].perSecond);
    expect(limiter.rate('secretsmanager:write')).toBe(25);
  });

  it('waits longer after a throttle, since the bucket is emptied and refills at half the rate', async () => {
    const c = clock();
    const limiter = new AdaptiveRateLimiter({ limits: { 'iam:write': { perSecond: 10, burst: 10 } }, now: c.now, sleep: c.sleep });
    limiter.throttled('iam:write');
    await limiter.acquire('iam:write');
    expect(c.now()).toBe(200);
  });

  it('classes Get, List, Describe and Head operations as reads and everything else as writes', () => {
    expect(['GetAccountAuthorizationDetails', 'ListSecrets', 'DescribeSecret', 'HeadObject'].map(callClass)).toEqual(['read', 'read', 'read', 'read']);
    expect(['CreateRole', 'PutRolePolicy', 'TagResource', 'DeleteObjects'].map(callClass)).toEqual(['write', 'write', 'write', 'write']);
  });
});

describe('backoff between attempts', () => {
  it('is full jitter: uniform below an exponentially growing cap', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 5_000 };
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(4_995);
    expect(backoffDelay(10, policy, () => 0)).toBe(0);
  });
});
