import type { ControllerContext } from './main.js';

/** What `tenantctl run` starts around the reconcile loop. Each part registers here. */
export interface Runtime {
  done: Promise<void>;
  stop(): Promise<void>;
}

export interface RuntimePart {
  name: string;
  start(ctx: ControllerContext): Promise<{ stop(): Promise<void> }>;
}

const parts: RuntimePart[] = [];

/** The HTTP status server and the agent scheduler plug in through this. */
export function registerRuntimePart(part: RuntimePart): void {
  if (!parts.some((p) => p.name === part.name)) parts.push(part);
}

export async function startRuntime(ctx: ControllerContext): Promise<Runtime> {
  const started: { name: string; stop(): Promise<void> }[] = [];
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
