/** Timers behind an interface, so tests drive the scheduler on a simulated clock without sleeping. */
export interface Timer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimer: Timer = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Repeating {
  stop(): Promise<void>;
}

/**
 * Runs `fn` every `intervalMs()` (read again each round), never overlapping itself: the next round is
 * scheduled when the previous one has finished; the first after `firstMs`. Errors go to `onError`; the loop goes on.
 */
export function repeat(timer: Timer, intervalMs: () => number, fn: () => Promise<void>, onError: (error: unknown) => void, firstMs = 0): Repeating {
  let stopped = false;
  let handle: unknown;
  let running: Promise<void> = Promise.resolve();
  const round = () => {
    running = fn().catch(onError).finally(() => {
      if (!stopped) handle = timer.setTimeout(round, intervalMs());
    });
  };
  handle = timer.setTimeout(round, firstMs);
  return {
    async stop() {
      stopped = true;
      timer.clearTimeout(handle);
      await running;
    },
  };
}
