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
