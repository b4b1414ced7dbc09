/** Retry delays shared by every retry loop that waits in whole attempts. Pure. */

export interface BackoffLimits {
  /** The first retry waits about this long; each further one twice as long, up to maxMs. */
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with equal jitter: between half and all of min(max, base·2^(attempt-1)), so
 * retries spread out yet never bunch at 0. `attempt` counts from 1 (the attempt that just failed).
 */
export function equalJitterBackoff(attempt: number, limits: BackoffLimits, random: () => number): number {
  const ceiling = Math.min(limits.maxMs, limits.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** The real wait: what every injected `sleep` (backoff, retries, polling) defaults to; tests pass their clock's. */
export function realSleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}
