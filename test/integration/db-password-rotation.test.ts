import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsDouble, createManualClock, type AwsDouble } from '../aws-double/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { createWorld, starterYaml, type World } from '../helpers/world.js';

const tenant = (name: string) => starterYaml(name, '  isolation: silo\n');

/**
 * An RDS-managed secret rotation while the controller runs: the role's password changes in the real
 * (embedded) PostgreSQL and in the secret, open sessions end, and the next pass must still succeed.
 */
describe('the controller during a rotation of its database password', () => {
  const clock = createManualClock(Date.now());
  let double: AwsDouble;
  let db: TestDatabase;
  let world: World | undefined;
  let role: string;
  let secretArn: string;

  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const setDatabasePassword = (password: string) => admin(`ALTER ROLE "${role}" PASSWORD '${password}'`);
  const setSecretPassword = (password: string) =>
    double.invoke('secretsmanager', 'PutSecretValue', { SecretId: secretArn, SecretString: JSON.stringify({ username: role, password }) });
  /** What happens to the controller's sessions when RDS restarts, fails over, or an idle timeout ends them. */
  const endControllerSessions = async () => {
    const pool = world!.ctx.pool;
    // The pool drops each client whose session ended ('remove'); the next statement then opens a new one.
    const emptied = new Promise<void>((resolve) => {
      const check = () => {
        if (pool.totalCount > 0) return;
        pool.off('remove', check);
        resolve();
      };
      pool.on('remove', check);
      check();
    });
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`);
    await emptied;
  };
  const secretReads = () => double.calls.filter((call) => call.operation === 'GetSecretValue').length;

  /** Set by a test: runs at the controller's next sleep, as RDS's rotation goes on while the controller waits. */
  let duringNextSleep: (() => Promise<unknown>) | undefined;

  beforeAll(async () => {
    double = createAwsDouble({ now: clock.now, sleep: clock.sleep, region: 'eu-west-1' });
    db = await createTestDatabase('rotation');
    role = `rotating_admin_${randomBytes(3).toString('hex')}`;
    await admin(`CREATE ROLE "${role}" LOGIN SUPERUSER PASSWORD 'first-password'`);
    const created = await double.invoke('secretsmanager', 'CreateSecret', {
      // RDS names its own secrets rds!db-…, a name no user may create.
      Name: `rds-db-${randomBytes(4).toString('hex')}`, SecretString: JSON.stringify({ username: role, password: 'first-password' }),
    });
    secretArn = String(created.ARN);
    // The controller as ECS runs it: DATABASE_URL without a password, the password in an RDS-managed secret.
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    world = await createWorld({
      extraEnv: { DATABASE_URL: url.toString(), OPENCLAW_DB_SECRET_ARN: secretArn, PGPASSWORD: '' },
      examples: false,
      onClients: (clients) => double.attachAll(clients),
      now: clock.now,
      async sleep(ms) {
        const pending = duringNextSleep;
        duringNextSleep = undefined;
        await pending?.();
        await clock.sleep(ms);
      },
    });
    world.writeTenant('hooli.yaml', tenant('hooli'));
    expect((await world.pass()).outcomes.filter((o) => o.error)).toEqual([]);
  });

  afterAll(async () => {
    await world?.close();
    await admin(`DROP ROLE IF EXISTS "${role}"`).catch(() => {});
  });

  it('reads the new password from the secret and reconnects by itself: the pass after the rotation succeeds', async () => {
    const readsBefore = secretReads();
    await setDatabasePassword('second-password');
    await setSecretPassword('second-password');
    await endControllerSessions();
    world!.writeTenant('late.yaml', tenant('late'));

    const after = await world!.pass();
    expect(after.outcomes.filter((o) => o.error)).toEqual([]);
    expect(await world!.ctx.store.status('late')).toMatchObject({ tenant: 'late' });
    expect(secretReads()).toBe(readsBefore + 1);
  });

  it('keeps trying while the database has the new password and the secret still the old one', async () => {
    // RDS sets the new password on the database a moment before it makes it the secret's current value.
    await setDatabasePassword('third-password');
    await endControllerSessions();
    duringNextSleep = () => setSecretPassword('third-password');
    world!.writeTenant('later.yaml', tenant('later'));

    const after = await world!.pass();
    expect(after.outcomes.filter((o) => o.error)).toEqual([]);
    expect(duringNextSleep).toBeUndefined();
    expect(await world!.ctx.store.status('later')).toMatchObject({ tenant: 'later' });
  });

  it('never writes a password into its logs', () => {
    expect(world!.logLines.join('\n')).not.toMatch(/first-password|second-password|third-password/);
  });

  it('fails with the server’s refusal, after a few reads, when the secret never gets the new password', async () => {
    await setDatabasePassword('a-password-nobody-stored');
    await endControllerSessions();
    const readsBefore = secretReads();
    await expect(world!.ctx.pool.query('SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    expect(secretReads() - readsBefore).toBe(3);
  });
});
