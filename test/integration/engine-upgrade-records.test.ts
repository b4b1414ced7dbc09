/**
 * A controller upgraded in place reads the records an earlier version wrote: desired and applied
 * state from before per-tenant limits existed are planned against, not a reason to fail every pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorld, perTest } from '../helpers/world.js';

/** An earlier controller recorded no fingerprints beside the documents. */
const UNFINGERPRINTED = 'manifest_fingerprint = NULL, desired_fingerprint = NULL, applied_fingerprint = NULL';

describe('records written by an earlier controller', () => {
  /** The example tenants as a controller applied and recorded them, on a database of the test's own. */
  const applied = perTest(async (database) => {
    const world = await createWorld({ database });
    const first = await world.pass();
    expect(first.outcomes.filter((o) => o.error)).toEqual([]);
    return world;
  });

  it('plans and applies the tier limits a tenant recorded without them, then settles', async () => {
    const world = await applied();
    await world.ctx.pools.reconciler.query(`UPDATE openclaw.tenants SET desired = desired - 'limits', applied = applied - 'limits', ${UNFINGERPRINTED}`);

    const second = await world.pass();
    expect(second.outcomes.filter((o) => o.error)).toEqual([]);
    const third = await world.pass();
    expect(third.outcomes.filter((o) => o.error)).toEqual([]);
    expect(third.changesApplied).toBe(0);
  });

  it('keeps every tenant recorded before isolation models a silo: the upgrade plans no move, a tier change or the manifest moves one', async () => {
    const world = await applied();
    // What an earlier controller left: manifests and records without isolation (so every tenant a silo).
    for (const file of ['acme.yaml', 'globex.yaml']) {
      world.writeTenant(file, readFileSync(join(world.tenantsDir, file), 'utf8').replace(/^ {2}isolation: silo\n/m, ''));
    }
    await world.ctx.pools.reconciler.query(`UPDATE openclaw.tenants SET desired = desired - 'isolation', applied = applied - 'isolation',
      manifest = jsonb_set(manifest, '{spec}', (manifest->'spec') - 'isolation'), ${UNFINGERPRINTED}`);

    const { planned } = await world.ctx.loop.planFor(await world.ctx.source.load());
    expect(planned.plan.tenants.flatMap((t) => t.changes).filter((c) => c.action !== 'noop').map((c) => `${c.tenant} ${c.resource}`)).toEqual([]);
    expect([...planned.desired.values()].map((d) => `${d.name} ${d.tier} ${d.isolation}`)).toEqual(['acme starter silo', 'globex professional silo', 'initech enterprise silo']);
    const report = await world.pass();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
    expect(report.changesApplied).toBe(0);
    const { rows } = await world.ctx.pools.reconciler.query(`SELECT name, desired->>'isolation' AS isolation FROM openclaw.tenants ORDER BY name`);
    expect(rows).toEqual([{ name: 'acme', isolation: 'silo' }, { name: 'globex', isolation: 'silo' }, { name: 'initech', isolation: 'silo' }]);
    expect((await world.pass()).changesApplied).toBe(0);

    // A tier change takes the new tier's default; a manifest naming its model moves it too.
    const acme = readFileSync(join(world.tenantsDir, 'acme.yaml'), 'utf8');
    world.writeTenant('acme.yaml', acme.replace('tier: starter', 'tier: professional'));
    world.writeTenant('globex.yaml', readFileSync(join(world.tenantsDir, 'globex.yaml'), 'utf8').replace('tier: professional', 'tier: professional\n  isolation: pool'));
    const moved = await world.ctx.loop.planFor(await world.ctx.source.load());
    const placements = moved.planned.plan.tenants.flatMap((t) => t.changes).filter((c) => c.resource.startsWith('placement/'));
    expect(placements.map((c) => [c.resource, c.before, c.after])).toEqual([
      ['placement/acme', expect.objectContaining({ isolation: 'silo' }), expect.objectContaining({ isolation: 'pool' })],
      ['placement/globex', expect.objectContaining({ isolation: 'silo' }), expect.objectContaining({ isolation: 'pool' })],
    ]);
  });
});
