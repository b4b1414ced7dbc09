import { describe, expect, it } from 'vitest';
import type { PassReport } from '../../controller/engine/outcome.js';
import { dbStates, gitWorldPerTest, observedRevisions, tenantData, tenantNames, writeTenantData, type GitWorld } from '../helpers/gitops.js';

const t = tenantNames('ann', 'ben', 'cat', 'dan');
const ALL = [t.ann, t.ben, t.cat, t.dan];
const CONFIRM = 'openclaw.io/confirm-deletion';

describe('the mass-deletion guard on a git branch', () => {
  // The default guard: a revision may offboard at most 10 % of the tenants.
  const gitWorld = gitWorldPerTest();

  const active = () => Object.fromEntries(ALL.map((name) => [name, 'active']));

  /** Four tenants applied, each holding data, then a commit that removes ben and cat (and renames ann), passed once: held. */
  async function heldRemoval(): Promise<{ g: GitWorld; removal: string; report: PassReport }> {
    const g = await gitWorld();
    for (const name of ALL) g.put(name);
    g.origin.commit('four tenants');
    await g.world.pass();
    for (const name of ALL) await writeTenantData(g.admin, name);
    g.drop(t.ben);
    g.drop(t.cat);
    g.put(t.ann, { displayName: 'Ann Renamed' });
    const removal = g.origin.commit('remove ben and cat');
    return { g, removal, report: await g.world.pass() };
  }

  it('holds a commit that removes two of four tenants on every pass (the rest of it applied) until `tenantctl confirm-deletion <sha>`, then offboards them once: reverted, they come back; removed again, they are held again', async () => {
    const { g, removal, report } = await heldRemoval();

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

    // Only a commit SHA confirms, and a refusal confirms nothing.
    const refused = await g.cli(['confirm-deletion', 'main']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain('"main" is not a revision');
    expect(await g.world.ctx.store.getState('confirmedDeletion')).toBeUndefined();

    const confirmed = await g.cli(['confirm-deletion', removal.slice(0, 10)]);
    expect(confirmed).toMatchObject({ code: 0, stderr: '' });
    expect(confirmed.stdout).toContain(`Confirmed revision ${removal}: the next pass offboards ${[t.ben, t.cat].sort().join(', ')}.`);
    expect(await g.world.ctx.store.getState('confirmedDeletion')).toMatchObject({ revision: removal });

    const applied = await g.world.pass();
    expect(applied.held).toEqual([]);
    expect(await dbStates(g.admin, ALL)).toEqual({ ...active(), [t.ben]: 'revoked', [t.cat]: 'revoked' });
    expect(await tenantData(g.admin, t.ben)).toEqual({ notes: 1, leads: 1 });
    expect(await observedRevisions(g.world, [t.ann, t.ben])).toEqual({ [t.ann]: removal, [t.ben]: removal });
    // Used up: it can never wave through a later deletion.
    expect(await g.world.ctx.store.getState('confirmedDeletion')).toBeNull();
    expect(await g.world.ctx.store.getState('heldDeletions')).toEqual([]);
    expect((await g.world.ctx.store.events({ limit: 50 })).some((e) => e.reason === 'DeletionConfirmed')).toBe(true);

    g.origin.git('revert', '--no-edit', 'HEAD');
    const revert = g.origin.head();
    await g.world.pass();
    expect(await dbStates(g.admin, ALL)).toEqual(active());
    expect(await tenantData(g.admin, t.cat)).toEqual({ notes: 1, leads: 1 });
    expect(await observedRevisions(g.world, ALL)).toEqual(Object.fromEntries(ALL.map((name) => [name, revert])));

    // A confirmation covers one revision, not the tenants for ever.
    g.drop(t.ben);
    g.drop(t.cat);
    const again = g.origin.commit('remove ben and cat again');
    const heldAgain = await g.world.pass();
    expect(heldAgain.held.map((h) => h.tenant).sort()).toEqual([t.ben, t.cat].sort());
    expect(heldAgain.held[0].reason).toContain(again);
    expect(await dbStates(g.admin, ALL)).toEqual(active());
  });

  it('applies a held deletion when a later commit annotates a remaining tenant with the held revision, but the annotation covers no tenant that revision did not remove, then or later', async () => {
    const { g, removal: held } = await heldRemoval();

    // An annotation naming the held revision does not cover dan, whom it did not remove.
    g.put(t.ann, { displayName: 'Ann Renamed', annotations: { [CONFIRM]: held.slice(0, 12) } });
    g.drop(t.dan);
    g.origin.commit(`confirm ${held.slice(0, 12)}, and remove dan too`);
    const withDan = await g.world.pass();
    expect(withDan.held.map((h) => h.tenant).sort()).toEqual([t.ben, t.cat, t.dan].sort());
    expect(await dbStates(g.admin, ALL)).toEqual(active());

    g.put(t.dan);
    const confirming = g.origin.commit('keep dan; the annotation on ann confirms removing ben and cat');
    const applied = await g.world.pass();
    expect(applied.held).toEqual([]);
    expect(await dbStates(g.admin, ALL)).toEqual({ ...active(), [t.ben]: 'revoked', [t.cat]: 'revoked' });
    expect(await observedRevisions(g.world, [t.ann, t.dan])).toEqual({ [t.ann]: confirming, [t.dan]: confirming });

    // A later removal is held even though the old annotation is still in the manifest.
    g.drop(t.dan);
    g.origin.commit('remove dan');
    const later = await g.world.pass();
    expect(later.held.map((h) => h.tenant)).toEqual([t.dan]);
    expect(later.held[0].reason).toContain('would offboard 1 of 2 tenants');
    expect(await dbStates(g.admin, [t.dan])).toEqual({ [t.dan]: 'active' });
  });
});
