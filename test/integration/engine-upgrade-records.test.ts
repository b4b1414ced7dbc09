/**
 * A controller upgraded in place reads the records an earlier version wrote: desired and applied
 * state from before per-tenant limits existed are planned against, not a reason to fail every pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../helpers/world.js';

describe('records written by an earlier controller', () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  it('plans and applies the tier limits a tenant recorded without them, then settles', async () => {
    const first = await world.pass();
    expect(first.outcomes.filter((o) => o.error)).toEqual([]);
    await world.ctx.pools.reconciler.query(`UPDATE openclaw.tenants SET desired = desired - 'limits', applied = applied - 'limits'`);

    const second = await world.pass();
    expect(second.outcomes.filter((o) => o.error)).toEqual([]);
    const third = await world.pass();
    expect(third.outcomes.filter((o) => o.error)).toEqual([]);
    expect(third.changesApplied).toBe(0);
  });
});
