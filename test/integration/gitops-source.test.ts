import { renameSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { names } from '../../contract/names.js';
import type { ControllerLoop } from '../../controller/engine/controller.js';
import type { PassReport } from '../../controller/engine/outcome.js';
import { canLogIn, dbStates, gitWorldPerTest, observedRevisions, tenantData, tenantNames, writeTenantData, type GitWorld } from '../helpers/gitops.js';

const t = tenantNames('ada', 'bob', 'cyd');
const ALL = [t.ada, t.bob, t.cyd];

describe('a controller following a git branch', () => {
  // A third of the tenants may go in one commit; the mass-deletion guard has a file of its own.
  const gitWorld = gitWorldPerTest({ env: { OPENCLAW_MAX_DELETE_FRACTION: '0.5' } });

  /** A world whose branch holds `tenants`, applied: returns it and the applied SHA. */
  async function applied(tenants: readonly string[]): Promise<{ g: GitWorld; revision: string }> {
    const g = await gitWorld();
    for (const name of tenants) g.put(name);
    const revision = g.origin.commit(`${tenants.length} tenants`);
    const report = await g.world.pass();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
    return { g, revision };
  }

  it('applies each new head commit of the branch: records its SHA as every tenant\'s observed revision, creates a tenant a commit adds, counts a new generation for a manifest a commit changes', async () => {
    const g = await gitWorld();
    g.put(t.ada);
    g.put(t.bob);
    const first = g.origin.commit('two tenants');

    const report = await g.world.pass();
    expect(report.revision).toBe(first);
    expect(report.fleet.error).toBeUndefined();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
    expect(await observedRevisions(g.world, [t.ada, t.bob])).toEqual({ [t.ada]: first, [t.bob]: first });
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'gone' });
    expect(await g.world.ctx.store.getState('appliedRevision')).toMatchObject({ revision: first });

    g.put(t.cyd);
    const added = g.origin.commit('add cyd');
    await g.world.pass();
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'active' });
    expect(await observedRevisions(g.world, ALL)).toEqual({ [t.ada]: added, [t.bob]: added, [t.cyd]: added });
    expect(await canLogIn(g.world, t.cyd)).toBe(true);

    g.put(t.bob, { tier: 'professional', displayName: 'Bob Logistics' });
    const changed = g.origin.commit('bob goes professional');
    await g.world.pass();
    const bob = (await g.world.ctx.store.knownTenants()).find((k) => k.name === t.bob)!;
    expect(bob.manifest.spec.tier).toBe('professional');
    expect(bob).toMatchObject({ revision: changed, generation: 2 });
    const status = await g.world.ctx.store.status(t.bob);
    expect(status?.observedRevision).toBe(changed);
    expect(status?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('offboards a tenant that a commit removes by its Retain policy (access revoked, every row kept) and brings it back, with its data, when the removal is reverted', async () => {
    const { g } = await applied(ALL);
    await writeTenantData(g.admin, t.cyd);
    g.drop(t.cyd);
    const removal = g.origin.commit('remove cyd');

    const offboarding = await g.world.pass();
    expect(offboarding.held).toEqual([]);
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'revoked' });
    expect(await canLogIn(g.world, t.cyd)).toBe(false);
    expect(await tenantData(g.admin, t.cyd)).toEqual({ notes: 1, leads: 1 });
    const known = (await g.world.ctx.store.knownTenants()).find((k) => k.name === t.cyd);
    expect(known?.lifecycle).toBe('Retained');
    const ready = (await g.world.ctx.store.status(t.cyd))?.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'Offboarded' });

    g.origin.git('revert', '--no-edit', removal);
    const revert = g.origin.head();
    const report = await g.world.pass();
    expect(report.driftCorrected).toBe(0);
    expect(report.outcomes.find((o) => o.tenant === t.cyd)?.applied.map((c) => c.resource)).toEqual([`role/${names.pgRuntimeRole(t.cyd)}`, `grants/${names.pgRuntimeRole(t.cyd)}`]);
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'active' });
    expect(await canLogIn(g.world, t.cyd)).toBe(true);
    expect(await tenantData(g.admin, t.cyd)).toEqual({ notes: 1, leads: 1 });
    expect(await observedRevisions(g.world, ALL)).toEqual({ [t.ada]: revert, [t.bob]: revert, [t.cyd]: revert });
    expect((await g.world.ctx.store.knownTenants()).find((k) => k.name === t.cyd)?.lifecycle).toBe('Active');
  });

  it('rejects a commit with an invalid manifest (nothing of it applied, the last good SHA kept, the status saying why) and clears the rejection with the next valid commit', async () => {
    const { g, revision: good } = await applied([t.ada, t.bob]);
    g.put(t.ada, { displayName: 'Ada Renamed' });
    g.origin.write('tenants/broken.yaml', 'apiVersion: openclaw.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: broken\nspec:\n  displayName: Broken\n  tier: platinum\n');
    const bad = g.origin.commit('rename ada, add a broken tenant');

    const report = await g.world.pass();
    expect(report.revision).toBe(good);
    const ada = (await g.world.ctx.store.knownTenants()).find((k) => k.name === t.ada)!;
    expect(ada.manifest.spec.displayName).toBe(`Tenant ${t.ada}`);
    const status = await g.world.ctx.store.status(t.ada);
    expect(status?.observedRevision).toBe(good);
    expect(status?.rejectedRevision).toBe(bad);
    expect(status?.rejectedReason).toMatch(/tenants\/broken\.yaml:\d+:\d+ /);
    expect(await g.world.ctx.store.getState('rejectedRevision')).toMatchObject({ revision: bad });
    const events = await g.world.ctx.store.events({ limit: 20 });
    expect(events.find((e) => e.reason === 'RevisionRejected')?.message).toContain(bad);
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'gone' });

    g.origin.remove('tenants/broken.yaml');
    const fixed = g.origin.commit('drop the broken tenant');
    await g.world.pass();
    expect(await g.world.ctx.store.status(t.ada)).toMatchObject({ observedRevision: fixed, rejectedRevision: null, rejectedReason: null });
    expect((await g.world.ctx.store.knownTenants()).find((k) => k.name === t.ada)?.manifest.spec.displayName).toBe('Ada Renamed');
  });

  it('keeps the last good revision and deletes nothing while the repository cannot be reached, and applies nothing when it starts so', async () => {
    const { g, revision } = await applied([t.ada, t.bob]);
    const moved = `${g.origin.dir}.away`;
    renameSync(g.origin.dir, moved);
    try {
      const report = await g.world.pass();
      expect(report.revision).toBe(revision);
      expect(report.changesApplied).toBe(0);
      expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'gone' });
      expect(await observedRevisions(g.world, [t.ada, t.bob])).toEqual({ [t.ada]: revision, [t.bob]: revision });
      const sourceError = await g.world.ctx.store.getState<{ message: string }>('sourceError');
      expect(sourceError?.message).toMatch(/could not fetch branch main from file:\/\//);
    } finally {
      renameSync(moved, g.origin.dir);
    }
    await g.world.pass();
    expect(await g.world.ctx.store.getState('sourceError')).toBeNull();

    // Started with a repository it cannot reach (and never fetched): no snapshot, so no pass at all.
    const restarted = await g.world.reopen({ env: { OPENCLAW_GIT_URL: `file://${g.origin.dir}-missing` } });
    const { snapshot } = await restarted.loop.refreshSource();
    expect(snapshot).toBeUndefined();
    expect(await restarted.loop.pass()).toBeUndefined();
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'gone' });
  });

  it('fetches and applies a pushed commit at once when triggered (a push webhook), without waiting for the poll interval', async () => {
    const g = await gitWorld({ env: { OPENCLAW_GIT_INTERVAL: '1h' } });
    g.put(t.bob);
    const revision = g.origin.commit('bob');
    const ctx = g.world.ctx;
    const passes = passRecorder(ctx.loop);
    const running = ctx.loop.run();
    try {
      await passes.until(() => true);
      expect(passes.reports.map((report) => report.revision)).toEqual([revision]);
      g.put(t.bob, { tier: 'professional', displayName: 'Bob Pushed' });
      const pushed = g.origin.commit('a push');
      ctx.loop.trigger();
      await passes.until((report) => report.revision === pushed);
      expect((await ctx.store.status(t.bob))?.observedRevision).toBe(pushed);
      expect((await ctx.store.knownTenants()).find((k) => k.name === t.bob)?.manifest.spec.displayName).toBe('Bob Pushed');
    } finally {
      await ctx.loop.stop();
      await running;
    }
  });
});

/** The passes a loop runs, as they end: `until` resolves with the first one, run or to come, that `done` accepts. */
function passRecorder(loop: Pick<ControllerLoop, 'onPass'>) {
  const reports: PassReport[] = [];
  const waiting: { done: (report: PassReport) => boolean; resolve: (report: PassReport) => void }[] = [];
  loop.onPass((report) => {
    reports.push(report);
    for (const waiter of waiting.filter((w) => w.done(report))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(report);
    }
  });
  const until = (done: (report: PassReport) => boolean): Promise<PassReport> => {
    const found = reports.find(done);
    return found ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ done, resolve }));
  };
  return { reports, until };
}
