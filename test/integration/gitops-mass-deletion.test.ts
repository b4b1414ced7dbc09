import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitWorld, dbStates, observedRevisions, tenantData, tenantNames, writeTenantData, type GitWorld } from '../helpers/gitops.js';

const t = tenantNames('ann', 'ben', 'cat', 'dan');
const ALL = [t.ann, t.ben, t.cat, t.dan];
const CONFIRM = 'openclaw.io/confirm-deletion';

describe('the mass-deletion guard on a git branch', () => {
  let g: GitWorld;

  beforeAll(async () => {
    // The default guard: a revision may offboard at most 10 % of the tenants.
    g = await createGitWorld();
    for (const name of ALL) g.put(name);
    g.origin.commit('four tenants');
    await g.world.pass();
    for (const name of ALL) await writeTenantData(g.admin, name);
  });

  afterAll(async () => {
    await g?.close();
  });

  const active = () => Object.fromEntries(ALL.map((name) => [name, 'active']));

  it('refuses a commit that removes two of four tenants, reports it, and still applies the rest of the commit', async () => {
    g.drop(t.ben);
    g.drop(t.cat);
    g.put(t.ann, { displayName: 'Ann Renamed' });
    const removal = g.origin.commit('remove ben and cat');

    const report = await g.world.pass();
    expect(report.revision).toBe(removal);
    expect(report.held.map((h) => h.tenant).sort()).toEqual([t.ben, t.cat].sort());
    expect(report.held[0].reason).toContain(`revision ${removal} would offboard 2 of 4 tenants`);
    expect(await dbStates(g.admin, ALL)).toEqual(active());
    expect((await g.world.ctx.store.knownTenants()).find((k) => k.name === t.ann)?.manifest.spec.displayName).toBe('Ann Renamed');
    const ben = await g.world.ctx.store.status(t.ben);
    expect(ben?.conditions.find((c) => c.type === 'Synced')).toMatchObject({ status: 'False', reason: 'DeletionHeld' });
    expect(ben?.lastError).toContain(removal);
    const events = await g.world.ctx.store.events({ limit: 20 });
    expect(events.find((e) => e.reason === 'DeletionHeld')).toMatchObject({ revision: removal });
    expect(await g.world.ctx.store.getState('heldDeletions')).toEqual([expect.objectContaining({ revision: removal, tenants: [t.ben, t.cat].sort() })]);

    // Held on every pass until someone confirms.
    expect((await g.world.pass()).held).toHaveLength(2);
  });

  it('applies the held deletion after `tenantctl confirm-deletion <sha>`, once', async () => {
    const removal = g.origin.head();
    const confirmed = await g.cli(['confirm-deletion', removal.slice(0, 10)]);
    expect(confirmed).toMatchObject({ code: 0, stderr: '' });
    expect(confirmed.stdout).toContain(`Confirmed revision ${removal}: the next pass offboards ${[t.ben, t.cat].sort().join(', ')}.`);
    expect(await g.world.ctx.store.getState('confirmedDeletion')).toMatchObject({ revision: removal });

    const report = await g.world.pass();
    expect(report.held).toEqual([]);
    expect(await dbStates(g.admin, ALL)).toEqual({ ...active(), [t.ben]: 'revoked', [t.cat]: 'revoked' });
    expect(await tenantData(g.admin, t.ben)).toEqual({ notes: 1, leads: 1 });
    expect(await observedRevisions(g.world, [t.ann, t.ben])).toEqual({ [t.ann]: removal, [t.ben]: removal });
    // Used up: it can never wave through a later deletion.
    expect(await g.world.ctx.store.getState('confirmedDeletion')).toBeNull();
    expect(await g.world.ctx.store.getState('heldDeletions')).toEqual([]);
    expect((await g.world.ctx.store.events({ limit: 50 })).some((e) => e.reason === 'DeletionConfirmed')).toBe(true);
  });

  it('brings both tenants back when the removal is reverted', async () => {
    g.origin.git('revert', '--no-edit', 'HEAD');
    const revert = g.origin.head();

    await g.world.pass();
    expect(await dbStates(g.admin, ALL)).toEqual(active());
    expect(await tenantData(g.admin, t.cat)).toEqual({ notes: 1, leads: 1 });
    expect(await observedRevisions(g.world, ALL)).toEqual(Object.fromEntries(ALL.map((name) => [name, revert])));
  });

  it('holds the same removal again: a confirmation covers one revision, not the tenants for ever', async () => {
    g.drop(t.ben);
    g.drop(t.cat);
    const again = g.origin.commit('remove ben and cat again');

    const report = await g.world.pass();
    expect(report.held.map((h) => h.tenant).sort()).toEqual([t.ben, t.cat].sort());
    expect(report.held[0].reason).toContain(again);
    expect(await dbStates(g.admin, ALL)).toEqual(active());
  });

  it('does not let an annotation naming the held revision cover a tenant that revision did not remove', async () => {
    const held = g.origin.head();
    g.put(t.ann, { displayName: 'Ann Renamed', annotations: { [CONFIRM]: held.slice(0, 12) } });
    g.drop(t.dan);
    g.origin.commit(`confirm ${held.slice(0, 12)}, and remove dan too`);

    const report = await g.world.pass();
    expect(report.held.map((h) => h.tenant).sort()).toEqual([t.ben, t.cat, t.dan].sort());
    expect(await dbStates(g.admin, ALL)).toEqual(active());
  });

  it('applies the held deletion when a later commit annotates a remaining tenant with the held revision', async () => {
    g.put(t.dan);
    const confirming = g.origin.commit('keep dan; the annotation on ann confirms removing ben and cat');

    const report = await g.world.pass();
    expect(report.held).toEqual([]);
    expect(await dbStates(g.admin, ALL)).toEqual({ ...active(), [t.ben]: 'revoked', [t.cat]: 'revoked' });
    expect(await observedRevisions(g.world, [t.ann, t.dan])).toEqual({ [t.ann]: confirming, [t.dan]: confirming });
  });

  it('holds a later removal even though the old annotation is still in the manifest', async () => {
    g.drop(t.dan);
    g.origin.commit('remove dan');

    const report = await g.world.pass();
    expect(report.held.map((h) => h.tenant)).toEqual([t.dan]);
    expect(report.held[0].reason).toContain('would offboard 1 of 2 tenants');
    expect(await dbStates(g.admin, [t.dan])).toEqual({ [t.dan]: 'active' });
  });

  it('refuses a revision that is not a commit SHA in confirm-deletion', async () => {
    const result = await g.cli(['confirm-deletion', 'main']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('"main" is not a revision');
  });
});
