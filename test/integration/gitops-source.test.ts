import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { names } from '../../contract/names.js';
import type { ControllerLoop } from '../../controller/engine/controller.js';
import type { PassReport } from '../../controller/engine/outcome.js';
import { canLogIn, createGitWorld, dbStates, observedRevisions, tenantData, tenantNames, writeTenantData, type GitWorld } from '../helpers/gitops.js';

const t = tenantNames('ada', 'bob', 'cyd');
const ALL = [t.ada, t.bob, t.cyd];

describe('a controller following a git branch', () => {
  let g: GitWorld;
  /** The SHA last applied: what every status must show. */
  let applied: string;

  beforeAll(async () => {
    // A third of the tenants may go in one commit; the mass-deletion guard has a file of its own.
    g = await createGitWorld({ env: { OPENCLAW_MAX_DELETE_FRACTION: '0.5' } });
  });

  afterAll(async () => {
    await g?.close();
  });

  it('applies the head commit of the branch and records its SHA as every tenant\'s observed revision', async () => {
    g.put(t.ada);
    g.put(t.bob);
    applied = g.origin.commit('two tenants');

    const report = await g.world.pass();
    expect(report.revision).toBe(applied);
    expect(report.fleet.error).toBeUndefined();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
    expect(await observedRevisions(g.world, [t.ada, t.bob])).toEqual({ [t.ada]: applied, [t.bob]: applied });
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'gone' });
    expect(await g.world.ctx.store.getState('appliedRevision')).toMatchObject({ revision: applied });
  });

  it('creates a tenant that a new commit adds', async () => {
    g.put(t.cyd);
    applied = g.origin.commit('add cyd');

    await g.world.pass();
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'active' });
    expect(await observedRevisions(g.world, ALL)).toEqual({ [t.ada]: applied, [t.bob]: applied, [t.cyd]: applied });
    expect(await canLogIn(g.world, t.cyd)).toBe(true);
  });

  it('applies a commit that changes a manifest and counts a new generation', async () => {
    g.put(t.bob, { tier: 'professional', displayName: 'Bob Logistics' });
    applied = g.origin.commit('bob goes professional');

    await g.world.pass();
    const bob = (await g.world.ctx.store.knownTenants()).find((k) => k.name === t.bob)!;
    expect(bob.manifest.spec.tier).toBe('professional');
    expect(bob).toMatchObject({ revision: applied, generation: 2 });
    const status = await g.world.ctx.store.status(t.bob);
    expect(status?.observedRevision).toBe(applied);
    expect(status?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('offboards a tenant that a commit removes by its Retain policy: access revoked, every row kept', async () => {
    await writeTenantData(g.admin, t.cyd);
    g.drop(t.cyd);
    applied = g.origin.commit('remove cyd');

    const report = await g.world.pass();
    expect(report.held).toEqual([]);
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'revoked' });
    expect(await canLogIn(g.world, t.cyd)).toBe(false);
    expect(await tenantData(g.admin, t.cyd)).toEqual({ notes: 1, leads: 1 });
    const known = (await g.world.ctx.store.knownTenants()).find((k) => k.name === t.cyd);
    expect(known?.lifecycle).toBe('Retained');
    const ready = (await g.world.ctx.store.status(t.cyd))?.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'Offboarded' });
  });

  it('rejects a commit with an invalid manifest: nothing of it is applied, the last good SHA stays and the status says why', async () => {
    const good = applied;
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
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'revoked' });
  });

  it('applies the next valid commit and clears the rejection', async () => {
    g.origin.remove('tenants/broken.yaml');
    applied = g.origin.commit('drop the broken tenant');

    await g.world.pass();
    const status = await g.world.ctx.store.status(t.ada);
    expect(status).toMatchObject({ observedRevision: applied, rejectedRevision: null, rejectedReason: null });
    expect((await g.world.ctx.store.knownTenants()).find((k) => k.name === t.ada)?.manifest.spec.displayName).toBe('Ada Renamed');
  });

  it('keeps the last good revision and deletes nothing while the repository cannot be reached', async () => {
    const moved = `${g.origin.dir}.away`;
    renameSync(g.origin.dir, moved);
    try {
      const report = await g.world.pass();
      expect(report.revision).toBe(applied);
      expect(report.changesApplied).toBe(0);
      expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'revoked' });
      expect(await observedRevisions(g.world, [t.ada, t.bob])).toEqual({ [t.ada]: applied, [t.bob]: applied });
      const sourceError = await g.world.ctx.store.getState<{ message: string }>('sourceError');
      expect(sourceError?.message).toMatch(/could not fetch branch main from file:\/\//);
    } finally {
      renameSync(moved, g.origin.dir);
    }
    await g.world.pass();
    expect(await g.world.ctx.store.getState('sourceError')).toBeNull();
  });

  it('applies nothing when it starts and the repository cannot be reached', async () => {
    const ctx = await g.world.reopen({ env: { OPENCLAW_GIT_URL: `file://${g.origin.dir}-missing` } });
    try {
      const { snapshot } = await ctx.loop.refreshSource();
      expect(snapshot).toBeUndefined();
      expect(await ctx.loop.pass()).toBeUndefined();
      expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'revoked' });
    } finally {
      await g.world.reopen();
    }
  });

  it('brings a removed tenant back, with its data, when the removal is reverted', async () => {
    const removal = g.origin.git('log', '--format=%H', '-1', '--', `tenants/${t.cyd}.yaml`);
    g.origin.git('revert', '--no-edit', removal);
    applied = g.origin.head();

    const report = await g.world.pass();
    expect(report.driftCorrected).toBe(0);
    expect(report.outcomes.find((o) => o.tenant === t.cyd)?.applied.map((c) => c.resource)).toEqual([`role/${names.pgRuntimeRole(t.cyd)}`, `grants/${names.pgRuntimeRole(t.cyd)}`]);
    expect(await dbStates(g.admin, ALL)).toEqual({ [t.ada]: 'active', [t.bob]: 'active', [t.cyd]: 'active' });
    expect(await canLogIn(g.world, t.cyd)).toBe(true);
    expect(await tenantData(g.admin, t.cyd)).toEqual({ notes: 1, leads: 1 });
    expect(await observedRevisions(g.world, ALL)).toEqual({ [t.ada]: applied, [t.bob]: applied, [t.cyd]: applied });
    expect((await g.world.ctx.store.knownTenants()).find((k) => k.name === t.cyd)?.lifecycle).toBe('Active');
  });

  it('fetches and applies a pushed commit at once when triggered (a push webhook), without waiting for the poll interval', async () => {
    const ctx = await g.world.reopen({ env: { OPENCLAW_GIT_INTERVAL: '1h' } });
    const passes = passRecorder(ctx.loop);
    const running = ctx.loop.run();
    try {
      await passes.until(() => true);
      expect(passes.reports.map((report) => report.revision)).toEqual([applied]);
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
