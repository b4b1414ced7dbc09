import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { names } from '../../contract/names.js';
import { canLogIn, createGitWorld, dbStates, tenantData, tenantNames, writeTenantData, type GitWorld } from '../helpers/gitops.js';

const t = tenantNames('kim', 'lou', 'max');
const HOUR = 3_600_000;

describe('staged offboarding and the pause annotation, from git', () => {
  let g: GitWorld;
  const clock = { now: Date.now() };

  beforeAll(async () => {
    g = await createGitWorld({ env: { OPENCLAW_PURGE_GRACE: '1h', OPENCLAW_MAX_DELETE_FRACTION: '0.5' }, now: () => clock.now });
    g.put(t.kim);
    g.put(t.lou, { deletionPolicy: 'Delete' });
    g.put(t.max);
    g.origin.commit('three tenants, lou with deletionPolicy Delete');
    await g.world.pass();
    for (const name of [t.kim, t.lou]) await writeTenantData(g.admin, name);
  });

  afterAll(async () => {
    await g?.close();
  });

  describe('a tenant with deletionPolicy Delete', () => {
    // One story: each step starts from the state the one before left.
    it('loses access at once when its manifest is removed, keeps its data through the grace period, and is purged after it, with an audit record of what was erased and when', async () => {
      g.drop(t.lou);
      g.origin.commit('remove lou');
      const removedAt = clock.now;

      await g.world.pass();
      expect(await dbStates(g.admin, [t.kim, t.lou])).toEqual({ [t.kim]: 'active', [t.lou]: 'revoked' });
      expect(await canLogIn(g.world, t.lou)).toBe(false);
      expect(await tenantData(g.admin, t.lou)).toEqual({ notes: 1, leads: 1 });
      const known = (await g.world.ctx.store.knownTenants()).find((k) => k.name === t.lou)!;
      expect(known.lifecycle).toBe('Offboarding');
      expect(new Date(known.purgeAfter!).getTime()).toBe(removedAt + HOUR);
      expect((await g.world.ctx.store.status(t.lou))?.conditions.find((c) => c.type === 'Offboarded')).toMatchObject({ status: 'True', reason: 'PendingPurge' });

      clock.now += HOUR / 2;
      const waiting = await g.world.pass();
      expect(waiting.changesApplied).toBe(0);
      // The status names the purge time (from the pass after the removal: the pass that removes it plans with the tenant as it was).
      const offboarded = (await g.world.ctx.store.status(t.lou))?.conditions.find((c) => c.type === 'Offboarded');
      expect(offboarded?.message).toContain(`purge after ${new Date(removedAt + HOUR).toISOString()}`);
      expect(await tenantData(g.admin, t.lou)).toEqual({ notes: 1, leads: 1 });
      expect((await g.admin.query('SELECT count(*)::int AS n FROM openclaw.audit WHERE tenant = $1', [t.lou])).rows[0].n).toBe(0);

      // Then the grace period ends.
      clock.now += HOUR / 2 + 1;
      const revision = g.origin.head();

      const purge = await g.world.pass();
      const erased = purge.outcomes.find((o) => o.tenant === t.lou)?.applied ?? [];
      expect(erased.map((c) => [c.action, c.destructive])).toEqual([['delete', true], ['delete', true], ['delete', true]]);
      expect(await dbStates(g.admin, [t.kim, t.lou])).toEqual({ [t.kim]: 'active', [t.lou]: 'gone' });
      expect(await tenantData(g.admin, t.lou)).toEqual({ notes: null, leads: 0 });
      expect(await tenantData(g.admin, t.kim)).toEqual({ notes: 1, leads: 1 });

      const audit = await g.admin.query('SELECT tenant, action, revision, detail, at FROM openclaw.audit WHERE tenant = $1', [t.lou]);
      expect(audit.rows).toHaveLength(1);
      expect(audit.rows[0]).toMatchObject({ tenant: t.lou, action: 'purge', revision, detail: { deletionPolicy: 'Delete' } });
      expect(audit.rows[0].detail.erased.sort()).toEqual([
        `postgres/role/${names.pgOwnerRole(t.lou)}`, `postgres/role/${names.pgRuntimeRole(t.lou)}`, `postgres/schema/${names.pgSchema(t.lou)}`,
      ].sort());
      expect(audit.rows[0].detail.offboardedAt).toBeTruthy();
      expect(audit.rows[0].at).toBeInstanceOf(Date);
      expect((await g.world.ctx.store.knownTenants()).find((k) => k.name === t.lou)?.lifecycle).toBe('Purged');
      expect((await g.world.ctx.store.status(t.lou))?.conditions.find((c) => c.type === 'Offboarded')).toMatchObject({ reason: 'Purged' });

      expect((await g.world.pass()).changesApplied).toBe(0);
    });
  });

  describe('a paused tenant', () => {
    const bypass = async (tenant: string) =>
      (await g.admin.query('SELECT rolbypassrls FROM pg_roles WHERE rolname = $1', [names.pgRuntimeRole(tenant)])).rows[0].rolbypassrls as boolean;

    // One story: it is resumed from the pause and drift the first steps made.
    it('shows its drift in the plan, has nothing changed by a pass, and is reconciled again once the annotation is removed', async () => {
      g.put(t.max, { annotations: { 'openclaw.io/paused': 'true' } });
      g.origin.commit('pause max');
      await g.world.pass();
      await g.admin.query(`ALTER ROLE ${names.pgRuntimeRole(t.max)} BYPASSRLS`);
      await g.admin.query(`ALTER ROLE ${names.pgRuntimeRole(t.kim)} BYPASSRLS`);

      const plan = await g.cli(['plan']);
      expect(plan.code).toBe(2);
      expect(plan.stdout).toContain(`tenant ${t.max} (paused (openclaw.io/paused): reported, not applied):`);
      expect(plan.stdout).toContain(`~ postgres role/${names.pgRuntimeRole(t.max)} (bypassrls)`);

      const report = await g.world.pass();
      expect(report.outcomes.find((o) => o.tenant === t.max)).toMatchObject({ skipped: 'paused', applied: [] });
      expect(await bypass(t.max)).toBe(true);
      expect(await bypass(t.kim)).toBe(false);
      const conditions = (await g.world.ctx.store.status(t.max))?.conditions ?? [];
      expect(conditions.find((c) => c.type === 'Paused')).toMatchObject({ status: 'True', reason: 'PauseAnnotation' });
      expect(conditions.find((c) => c.type === 'Synced')).toMatchObject({ status: 'False', reason: 'Paused' });

      // Then the annotation is removed.
      g.put(t.max);
      g.origin.commit('resume max');

      await g.world.pass();
      expect(await bypass(t.max)).toBe(false);
      expect((await g.world.ctx.store.status(t.max))?.conditions.find((c) => c.type === 'Paused')?.status).toBe('False');
    });
  });
});
