import { equalJitterBackoff, type BackoffLimits } from '../../contract/backoff.js';
import { errorMessage, isRetryable } from '../../contract/errors.js';

/**
 * What happens to a run whose launch failed: pure. A launch is a single RunTask (the ECS caller has
 * already retried it a few times within seconds); an outage lasts minutes. So a run whose launch failed
 * on a transient error (a 5xx, a timeout, throttling) stays pending and is launched again after a
 * backoff, for as long as its starting deadline is open; the last attempt is made at the deadline.
 * Every attempt sends the same request with the run id as its client token, so an attempt whose answer
 * was lost (the task did start) finds that task instead of starting another.
 */
export type LaunchRetryPolicy = BackoffLimits;

export const LAUNCH_RETRY: LaunchRetryPolicy = { baseMs: 15_000, maxMs: 120_000 };

export interface LaunchFailure {
  error: unknown;
  /** Attempts made, the failed one included. */
  attempts: number;
  scheduledAt: number;
  startingDeadlineMs: number;
  now: number;
}

export type LaunchDecision = { retryAt: number; reason: string } | { reason: string };

/** The wait before the next launch attempt, after `attempts` failed ones. */
export function launchBackoff(attempts: number, random: () => number, policy: LaunchRetryPolicy = LAUNCH_RETRY): number {
  return equalJitterBackoff(attempts, policy, random);
}

export function afterLaunchFailure(failure: LaunchFailure, random: () => number, policy: LaunchRetryPolicy = LAUNCH_RETRY): LaunchDecision {
  const message = errorMessage(failure.error);
  const deadline = failure.scheduledAt + failure.startingDeadlineMs;
  const tries = `${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'}`;
  if (!isRetryable(failure.error)) return { reason: `could not launch: ${message}` };
  if (failure.now >= deadline) {
    return { reason: `could not launch within the starting deadline of ${failure.startingDeadlineMs / 1000}s (${tries}): ${message}` };
  }
  const retryAt = Math.min(deadline, failure.now + launchBackoff(failure.attempts, random, policy));
  return { retryAt, reason: `launch failed (${tries}), retrying at ${new Date(retryAt).toISOString()}: ${message}` };
}
