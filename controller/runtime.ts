import type { Logger } from 'pino';

/** What `tenantctl run` starts around the reconcile loop. */
export interface Runtime {
  done: Promise<void>;
  stop(): Promise<void>;
}

/** A started part: `stop` ends it once what it has in flight is done. */
export interface StartedPart {
  stop(): Promise<void>;
}

/** A part that works apart from the pass (posting, delivering): `idle` settles once what earlier passes gave it is done. */
export interface BackgroundPart extends StartedPart {
  idle(): Promise<void>;
}

/** A long-running part beside the loop (the status server, the scheduler, onboarding); `C` is what it needs. */
export interface RuntimePart<C, S extends StartedPart = StartedPart> {
  name: string;
  start(ctx: C): Promise<S>;
}

/** What the runtime itself needs: the loop it runs, and what to log about it. */
export interface RuntimeContext {
  log: Logger;
  provider: { name: string };
  source: { describe(): string };
  loop: { run(): Promise<void>; stop(): Promise<void> };
}

/** Starts the parts in order, then the loop; `stop` stops the loop first, then the parts in reverse. */
export async function startRuntime<C extends RuntimeContext>(ctx: C, parts: readonly RuntimePart<NoInfer<C>>[]): Promise<Runtime> {
  const started: (StartedPart & { name: string })[] = [];
  for (const part of parts) {
    started.push({ name: part.name, ...(await part.start(ctx)) });
    ctx.log.info({ part: part.name }, 'started');
  }
  ctx.log.info({ provider: ctx.provider.name, source: ctx.source.describe() }, 'controller running');
  const done = ctx.loop.run();
  return {
    done,
    async stop() {
      await ctx.loop.stop();
      for (const part of started.reverse()) await part.stop().catch((error) => ctx.log.warn({ err: error, part: part.name }, 'could not stop cleanly'));
    },
  };
}
