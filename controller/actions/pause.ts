import { setOperatorPause } from '../engine/pauses.js';
import type { ActionContext } from './context.js';

export type PauseResult =
  | { done: false; error: string }
  | { done: true; changed: boolean; paused: boolean; revision: string };

/**
 * Pauses (or resumes) a declared tenant: its changes are planned and reported, never applied, until it
 * is resumed. A pass for that tenant follows at once, so its Paused condition says so.
 */
export async function setPaused(ctx: Pick<ActionContext, 'loop' | 'source' | 'store' | 'now'>, tenant: string, paused: boolean, by: string): Promise<PauseResult> {
  const { snapshot } = await ctx.loop.refreshSource();
  if (!snapshot) return { done: false, error: `no valid revision in ${ctx.source.describe()}` };
  if (!snapshot.tenants.some((t) => t.name === tenant)) return { done: false, error: `tenant ${tenant} is not declared in ${ctx.source.describe()} (revision ${snapshot.revision})` };
  const changed = await setOperatorPause(ctx.store, tenant, paused ? { by, at: new Date(ctx.now()).toISOString() } : undefined);
  if (changed) {
    await ctx.store.recordEvents([{
      type: 'Normal', tenant, revision: snapshot.revision, reason: paused ? 'Paused' : 'Resumed',
      message: paused ? `${by} paused the tenant: changes are planned, not applied` : `${by} resumed the tenant`,
    }]);
    await ctx.loop.pass({ only: new Set([tenant]) });
  }
  return { done: true, changed, paused, revision: snapshot.revision };
}
