import type { Logger } from 'pino';
import { AwsCaller } from '../providers/aws/caller.js';
import { AdaptiveRateLimiter } from '../providers/aws/rate-limit.js';

export interface EcsCallerOptions {
  /** Task launches per second (RunTask and StopTask share this bucket): at most Fargate's 20/s. */
  launchesPerSecond: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log: Logger;
}

/**
 * Rate limit → send → classify → retry with backoff and jitter. A ThrottlingException halves the
 * launch rate (AIMD) and is retried; the rate climbs back with successes.
 */
export function ecsCaller(options: EcsCallerOptions): AwsCaller {
  const rate = options.launchesPerSecond;
  const limiter = new AdaptiveRateLimiter({
    now: options.now,
    sleep: options.sleep,
    limits: {
      'ecs:write': { perSecond: rate, burst: rate },
      // DescribeTasks takes 100 tasks a call; ECS allows 20/s sustained for it in most regions.
      'ecs:read': { perSecond: 10, burst: 10 },
    },
  });
  return new AwsCaller({ limiter, random: options.random, sleep: options.sleep, log: options.log });
}
