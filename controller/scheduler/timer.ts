/**
 * Timers behind an interface, so tests drive the scheduler on a simulated clock without sleeping.
 * Setting one returns what cancels it, so no implementation needs to know another's handle type.
 */
export interface Timer {
  setTimeout(fn: () => void, ms: number): () => void;
}

export const realTimer: Timer = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return () => clearTimeout(handle);
  },
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
  let cancel = () => {};
  let running: Promise<void> = Promise.resolve();
  const round = () => {
    running = fn().catch(onError).finally(() => {
      if (!stopped) cancel = timer.setTimeout(round, intervalMs());
    });
  };
  cancel = timer.setTimeout(round, firstMs);
  return {
    async stop() {
      stopped = true;
      cancel();
      await running;
    },
  };
}
