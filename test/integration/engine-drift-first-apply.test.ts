/**
 * Drift is measured against what was applied, never against what was only wanted: after a first
 * apply that was interrupted, the next pass's creations are the apply going on, not drift.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../helpers/world.js';

describe('a first apply interrupted halfway', () => {
  let world: World;
  let failSchemas = true;

  beforeAll(async () => {
    world = await createWorld({
      beforeQuery: (text) => {
        if (failSchemas && /^\s*CREATE SCHEMA IF NOT EXISTS "?tenant_/i.test(text)) throw new Error('connection terminated (the controller was killed)');
      },
    });
  });
  afterAll(async () => world?.close());

  it('reports the next pass\'s creations as creations, not as corrected drift', async () => {
    const first = await world.pass();
    expect(first.outcomes.filter((o) => o.error).length).toBeGreaterThan(0);
    expect(first.changesApplied).toBeGreaterThan(0);
    // Nothing was applied in full yet: no tenant's record has an applied state.
    expect((await world.ctx.store.knownTenants()).map((k) => k.applied)).toEqual(first.outcomes.map(() => null));

    failSchemas = false;
    for (const tenant of first.outcomes.map((o) => o.tenant)) world.ctx.reconciler.backoff.success(tenant);
    const second = await world.pass();
    expect(second.outcomes.filter((o) => o.error)).toEqual([]);
    expect(second.changesApplied).toBeGreaterThan(0);
    expect(second.driftCorrected).toBe(0);
    const events = await world.ctx.store.events({ limit: 500 });
    expect(events.filter((e) => e.reason === 'DriftCorrected')).toEqual([]);
    // Applied in full: each record's applied state is its desired state, read once and held once.
    const known = await world.ctx.store.knownTenants();
    expect(known.length).toBeGreaterThan(0);
    for (const record of known) expect(record.applied).toBe(record.desired);
  });
});
