import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitWorld, tenantNames, type GitWorld } from '../helpers/gitops.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const CONFIRM = 'openclaw.io/confirm-deletion';
const PAUSED = 'openclaw.io/paused';

describe('tenantctl plan shows what apply will do, for every input apply reads', () => {
  const t = tenantNames('amy', 'bob', 'cal', 'dee');
  const ALL = [t.amy, t.bob, t.cal, t.dee];
  let g: GitWorld;

  beforeAll(async () => {
    g = await createGitWorld();
  });
  afterAll(async () => g?.close());

  /** `plan`, then `apply` on the same state: apply prints the plan it executes before its summary. */
  async function planThenApply(planArgs: string[] = [], applyArgs: string[] = [], env: Record<string, string> = {}) {
    const plan = await g.cli(['plan', ...planArgs], env);
    const apply = await g.cli(['apply', ...applyArgs], env);
    const executed = apply.stdout.slice(0, apply.stdout.indexOf('Applied '));
    expect(plan.stderr).toBe('');
    expect(executed).toBe(plan.stdout);
    return { plan, apply };
  }

  // One repository and database through every step, as a team's would (about 40 s on a busy runner: its own limit): each input builds on the state the steps before it left.
  it('plans what apply then does as the manifests, the live state, annotations, the mass-deletion guard and its confirmations, the clock and the source change', async () => {
    // manifests: new tenants.
    {
      for (const name of ALL) g.put(name);
      g.origin.commit('four tenants');
      const { plan } = await planThenApply();
      expect(plan.code).toBe(2);
      for (const name of ALL) expect(plan.stdout).toContain(name);
    }

    // the live state: nothing to do, then drift.
    {
      expect((await planThenApply()).plan.code).toBe(0);
      await g.admin.query('DROP POLICY tenant_isolation ON app.leads');
      const { plan } = await planThenApply();
      expect(plan.stdout).toMatch(/app\.leads/);
    }

    // annotations: a paused tenant is planned and reported, not changed.
    {
      g.put(t.amy, { displayName: 'Amy Paused', annotations: { [PAUSED]: 'true' } });
      g.origin.commit('pause amy');
      await planThenApply();
    }

    // the mass-deletion guard, then `tenantctl confirm-deletion REV`.
    {
      g.put(t.amy, { displayName: 'Amy' });
      g.drop(t.bob);
      g.drop(t.cal);
      const removal = g.origin.commit('remove bob and cal');
      const held = await planThenApply();
      expect(held.plan.stdout).toMatch(/held/i);
      expect((await g.cli(['confirm-deletion', removal])).code).toBe(0);
      const confirmed = await planThenApply();
      expect(confirmed.plan.stdout).not.toMatch(/held/i);
      expect(confirmed.apply.stdout).not.toMatch(/held/i);
    }

    // an annotation confirming a held revision, and --confirm-deletion on both commands.
    {
      g.put(t.bob);
      g.put(t.cal);
      g.origin.commit('bring bob and cal back');
      await planThenApply();
      g.drop(t.bob);
      g.drop(t.cal);
      const removal = g.origin.commit('remove bob and cal again');
      await planThenApply();
      g.put(t.amy, { annotations: { [CONFIRM]: removal } });
      g.origin.commit('confirm by annotation');
      const annotated = await planThenApply();
      expect(annotated.plan.stdout).not.toMatch(/held/i);

      g.put(t.bob);
      g.origin.commit('bring bob back');
      await planThenApply();
      g.drop(t.bob);
      g.drop(t.dee);
      const again = g.origin.commit('remove bob and dee');
      const flagged = await planThenApply(['--confirm-deletion', again], ['--confirm-deletion', again]);
      expect(flagged.plan.stdout).not.toMatch(/held/i);
    }

    // the clock: a Delete tenant past its grace is purged by both.
    {
      const env = { OPENCLAW_PURGE_GRACE: '1ms', OPENCLAW_MAX_DELETE_FRACTION: '1' };
      g.put(t.bob, { deletionPolicy: 'Delete' });
      g.origin.commit('bob with Delete');
      await planThenApply([], [], env);
      g.drop(t.bob);
      g.origin.commit('remove bob');
      await planThenApply([], [], env);
      const purge = await planThenApply([], [], env);
      expect(purge.plan.stdout).toMatch(/destructive/);
    }

    // the source: an empty revision is refused by both, with exit 1.
    {
      g.drop(t.amy);
      g.origin.commit('empty');
      const plan = await g.cli(['plan']);
      const apply = await g.cli(['apply']);
      expect([plan.code, apply.code]).toEqual([1, 1]);
      expect(plan.stdout).toBe('');
      expect(plan.stderr).toMatch(/no manifest files/);
    }
  }, 180_000);

  it('exits 64 on a usage error, apart from 2 for changes', async () => {
    expect((await g.cli(['plan', '--output', 'yaml'])).code).toBe(64);
    expect((await g.cli(['plan', 'a', 'b'])).code).toBe(64);
    expect((await g.cli(['plna'])).code).toBe(64);
  });
});

describe('tenantctl plan with a read-only database role', () => {
  const t = tenantNames('ro');
  let g: GitWorld;
  let empty: TestDatabase;
  const reader = (url: string) => {
    const target = new URL(url);
    target.username = 'plan_reader';
    target.password = 'plan-reader-password';
    return target.toString();
  };

  beforeAll(async () => {
    g = await createGitWorld();
    g.put(t.ro);
    g.origin.commit('one tenant');
    await g.world.pass();
    empty = await createTestDatabase('empty');
    // What a pull request's plan gets: read everything, write nothing, ever.
    await g.admin.query(`CREATE ROLE plan_reader LOGIN PASSWORD 'plan-reader-password' IN ROLE pg_read_all_data`);
    await g.admin.query(`ALTER ROLE plan_reader SET default_transaction_read_only = on`);
    for (const db of [g.world.db.name, empty.name]) await g.admin.query(`GRANT CONNECT ON DATABASE "${db}" TO plan_reader`);
  });

  afterAll(async () => {
    await empty?.drop();
    await g?.admin.query('DROP ROLE IF EXISTS plan_reader').catch(() => {});
    await g?.close();
  });

  // Each test puts back what it changes, so the next one, whichever it is, plans against the steady state.
  it('plans against the live state, drift included, without a single write', async () => {
    const steady = await g.cli(['plan'], { DATABASE_URL: reader(g.world.db.url) });
    expect(steady).toMatchObject({ code: 0, stderr: '' });
    expect(steady.stdout).not.toMatch(/Note:/);
    await g.admin.query('ALTER TABLE app.messages NO FORCE ROW LEVEL SECURITY');
    try {
      const drift = await g.cli(['plan', '--output', 'json'], { DATABASE_URL: reader(g.world.db.url) });
      expect(drift.code).toBe(2);
      expect(JSON.parse(drift.stdout).fleet.changes).toContainEqual(expect.objectContaining({ resource: 'table/app.messages', fields: ['forceRowSecurity'] }));
    } finally {
      await g.admin.query('ALTER TABLE app.messages FORCE ROW LEVEL SECURITY');
    }
  });

  it('reads the records of a controller schema from before their fingerprints in full, and plans nothing for them', async () => {
    const { rows } = await g.admin.query<{ version: number }>('SELECT max(version)::int AS version FROM openclaw.schema_migrations');
    await g.admin.query(`ALTER TABLE openclaw.tenants DROP COLUMN manifest_fingerprint, DROP COLUMN desired_fingerprint, DROP COLUMN applied_fingerprint`);
    await g.admin.query('DELETE FROM openclaw.schema_migrations WHERE version = 80');
    try {
      const result = await g.cli(['plan', '--output', 'json'], { DATABASE_URL: reader(g.world.db.url) });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const plan = JSON.parse(result.stdout);
      expect(plan.notes).toContainEqual(expect.stringMatching(new RegExp(`from version \\d+ to ${rows[0].version}`)));
      expect(plan.tenants.flatMap((tenant: { changes: { action: string }[] }) => tenant.changes).filter((c: { action: string }) => c.action !== 'noop')).toEqual([]);
    } finally {
      // Opening the controller again migrates the schema back to the current version.
      await g.world.reopen();
      await g.world.pass();
    }
  });

  it('says what it cannot see when the controller schema is missing, and plans every tenant as new', async () => {
    const result = await g.cli(['plan'], { DATABASE_URL: reader(empty.url) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(t.ro);
    expect(result.stdout).toMatch(/Note: the controller's schema \(openclaw\) does not exist in this database/);
    expect(result.stdout).toMatch(/Note: the shared tables \(schema app\) do not exist yet/);
    // Nothing was created there: no migration ran.
    const client = new pg.Client({ connectionString: empty.url });
    await client.connect();
    const schemas = await client.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname IN ('openclaw', 'app')`).finally(() => client.end());
    expect(schemas.rows[0].n).toBe(0);
  });
});
