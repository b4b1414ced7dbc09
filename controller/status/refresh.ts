/** Runs `task` now, or once more after the running one when asked while it runs: a burst of webhooks is one or two refreshes. */
export function coalesced(task: () => Promise<void>, onError: (error: unknown) => void): (() => void) & { idle(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = task().catch(onError).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        start();
      }
    });
  };
  return Object.assign(start, { idle: async () => { while (running) await running; } });
}

/** Work a request started and answered for before it ended (a triggered run): `idle()` settles once none runs. */
export interface BackgroundWork {
  add(work: Promise<unknown>): void;
  idle(): Promise<void>;
}

export function backgroundWork(): BackgroundWork {
  const running = new Set<Promise<void>>();
  return {
    add(work) {
      const settled: Promise<void> = work.then(() => {}, () => {}).finally(() => running.delete(settled));
      running.add(settled);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
