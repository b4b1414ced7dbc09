import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TerminalError } from '../../contract/errors.js';
import { createWorld, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

const GLOBEX = readFileSync(new URL('../../tenants/globex.yaml', import.meta.url), 'utf8');

describe('the reconcile loop', () => {
  let world: World;
  let clock = Date.parse('2026-11-24T08:00:00Z');
  let failNext: { match: RegExp; error: () => Error } | undefined;

  beforeAll(async () => {
    world = await createWorld({
      provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))),
      now: () => clock,
      random: () => 0.5,
      extraEnv: { OPENCLAW_RESYNC_INTERVAL: '5m', OPENCLAW_BACKOFF_BASE: '10s', OPENCLAW_BACKOFF_MAX: '1m' },
      beforeQuery: (text) => {
        if (failNext && failNext.match.test(text)) {
          const { error } = failNext;
          failNext = undefined;
          throw error();
        }
      },
    });
    await world.pass();
  });
  afterAll(async () => world?.close());

  const tenantsOf = (report: Awaited<ReturnType<World['ctx']['loop']['tick']>>) => report?.outcomes.map((o) => o.tenant).sort();

  it('does nothing on a tick when nothing changed and no resync is due', async () => {
    clock += 1_000;
    expect(await world.ctx.loop.tick()).toBeUndefined();
  });

  it('reconciles only the tenant whose manifest changed, at once', async () => {
    world.writeTenant('globex.yaml', GLOBEX.replace('displayName: Globex Logistics', 'displayName: Globex Freight'));
    clock += 1_000;
    const report = await world.ctx.loop.tick();
    expect(tenantsOf(report)).toEqual(['globex']);
  });

  it('reads the record and status of only the tenant whose manifest changed, and no record in a pass that changes nothing', async () => {
    const records = vi.spyOn(world.ctx.store, 'knownTenants');
    const statuses = vi.spyOn(world.ctx.store, 'statuses');
    // What each read asked for: the names of its tenants (undefined would be every tenant's).
    const asked = (spy: { mock: { calls: (readonly [names?: readonly string[]] | [names?: readonly string[]])[] } }) => spy.mock.calls.map(([names]) => names);
    try {
      world.writeTenant('globex.yaml', GLOBEX.replace('displayName: Globex Logistics', 'displayName: Globex Shipping'));
      clock += 1_000;
      expect(tenantsOf(await world.ctx.loop.tick())).toEqual(['globex']);
      expect(asked(records)).toEqual([['globex']]);
      expect(asked(statuses)).toEqual([['globex']]);

      records.mockClear();
      const resync = await world.ctx.loop.pass();
      expect(tenantsOf(resync)).toEqual(['acme', 'globex', 'initech']);
      expect(resync?.changesApplied).toBe(0);
      expect(asked(records)).toEqual([]);
    } finally {
      records.mockRestore();
      statuses.mockRestore();
    }
  });

  it('runs a full pass over every tenant when the resync interval has passed', async () => {
    clock += 5 * 60_000;
    const report = await world.ctx.loop.tick();
    expect(tenantsOf(report)).toEqual(['acme', 'globex', 'initech']);
  });

  it('retries a tenant after a transient failure once its backoff expires, and only that tenant', async () => {
    await world.ctx.pool.query('ALTER ROLE tenant_acme_runtime BYPASSRLS');
    failNext = { match: /^ALTER ROLE "tenant_acme_runtime"/, error: () => Object.assign(new Error('connection reset by peer'), { code: 'ECONNRESET' }) };
    clock += 5 * 60_000;
    const failed = await world.ctx.loop.tick();
    const outcome = failed?.outcomes.find((o) => o.tenant === 'acme');
    expect(outcome?.error).toMatchObject({ retryable: true, kind: 'postgres' });
    // The outcome says when: the first retry comes between half the base delay and the base delay (10 s) later.
    expect(outcome?.retryAt).toBeGreaterThan(clock);
    expect(outcome?.retryAt).toBeLessThanOrEqual(clock + 10_000);
    expect((await world.ctx.store.status('acme'))?.conditions.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'Retrying' });

    clock += 1_000;
    expect(await world.ctx.loop.tick()).toBeUndefined();
    clock += 10_000;
    const retried = await world.ctx.loop.tick();
    expect(tenantsOf(retried)).toEqual(['acme']);
    expect(retried?.outcomes[0].error).toBeUndefined();
    expect((await world.ctx.store.status('acme'))?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('stops retrying a tenant after a terminal failure, says why in its status, and tries again when its manifest changes', async () => {
    await world.ctx.pool.query('ALTER ROLE tenant_globex_runtime BYPASSRLS');
    failNext = { match: /^ALTER ROLE "tenant_globex_runtime"/, error: () => new TerminalError('PERMISSION_DENIED', 'permission denied to alter role') };
    clock += 5 * 60_000;
    const stopped = await world.ctx.loop.tick();
    // Terminal: no retry time; the tenant waits for a changed manifest.
    expect(stopped?.outcomes.find((o) => o.tenant === 'globex')).toMatchObject({ error: { retryable: false, kind: 'postgres' }, retryAt: undefined });
    const status = await world.ctx.store.status('globex');
    expect(status?.terminal).toBe(true);
    expect(status?.conditions.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'TerminalError' });
    expect(status?.lastError).toContain('permission denied to alter role');

    clock += 5 * 60_000;
    const resync = await world.ctx.loop.tick();
    expect(resync?.outcomes.find((o) => o.tenant === 'globex')?.skipped).toBe('backoff');
    expect((await world.ctx.pool.query(`SELECT rolbypassrls FROM pg_roles WHERE rolname = 'tenant_globex_runtime'`)).rows[0].rolbypassrls).toBe(true);

    world.writeTenant('globex.yaml', GLOBEX.replace('displayName: Globex Logistics', 'displayName: Globex Holdings'));
    clock += 1_000;
    const changed = await world.ctx.loop.tick();
    expect(changed?.outcomes.find((o) => o.tenant === 'globex')?.error).toBeUndefined();
    expect((await world.ctx.pool.query(`SELECT rolbypassrls FROM pg_roles WHERE rolname = 'tenant_globex_runtime'`)).rows[0].rolbypassrls).toBe(false);
  });
});

describe('a pass for one changed tenant', () => {
  let world: World;
  let clock = Date.parse('2026-11-24T08:00:00Z');
  beforeAll(async () => {
    // The local provider: S3 prefixes, lifecycle and IAM as files under the data directory.
    world = await createWorld({ now: () => clock });
    await world.pass();
  });
  afterAll(async () => world?.close());

  it('also brings fleet-wide resources along, such as the lifecycle rule of a new storage class', async () => {
    // A controller reopened by another test starts with a full pass: settle it first, so the pass below is acme's.
    await world.ctx.loop.tick();
    const acme = readFileSync(new URL('../../tenants/acme.yaml', import.meta.url), 'utf8');
    world.writeTenant('acme.yaml', acme.replace('archiveAfterDays: 30', 'archiveAfterDays: 45'));
    clock += 1_000;
    const report = await world.ctx.loop.tick();
    expect(report?.outcomes.map((o) => o.tenant)).toEqual(['acme']);
    expect(report?.fleet.applied.map((c) => `${c.kind} ${c.resource}`)).toEqual(['s3 lifecycle/local-tenants']);
    const lifecycle = JSON.parse(readFileSync(join(world.dataDir, 's3-meta', 'local-tenants', 'lifecycle.json'), 'utf8'));
    const ids = JSON.stringify(lifecycle);
    expect(ids).toContain('openclaw-lifecycle-a45-e365');
  });

  it('plans a page of one tenant at a time as it plans them all at once: the changed and departing records read, the revision order kept', async () => {
    const globex = readFileSync(new URL('../../tenants/globex.yaml', import.meta.url), 'utf8');
    const initech = readFileSync(new URL('../../tenants/initech.yaml', import.meta.url), 'utf8');
    try {
      world.writeTenant('globex.yaml', globex.replace(/displayName: .*/, 'displayName: Globex Renamed'));
      world.removeTenant('initech.yaml');
      const whole = (await world.ctx.loop.planFor(await world.ctx.source.load())).planned;
      await world.reopen({ pageSize: 1 });
      const paged = (await world.ctx.loop.planFor(await world.ctx.source.load())).planned;
      expect(paged.plan).toEqual(whole.plan);
      expect(paged.plan.held.map((h) => h.tenant)).toEqual(['initech']);
      expect([...paged.desired.values()]).toEqual([...whole.desired.values()]);
      expect([...paged.desired.keys()]).toEqual(['acme', 'globex']);
      expect([...paged.records.keys()].sort()).toEqual(['globex', 'initech']);
      expect([...paged.records.values()]).toEqual(expect.arrayContaining([...whole.records.values()]));
    } finally {
      world.writeTenant('globex.yaml', globex);
      world.writeTenant('initech.yaml', initech);
      await world.reopen();
    }
  });
});
