import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs, type CliIo } from '../../controller/cli/command.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { rotateCommand } from '../../controller/cli/rotate.js';
import { scramSha256Verifier } from '../../controller/db/scram.js';
import { names } from '../../contract/names.js';
import { createLogger } from '../../contract/logger.js';
import { FINGERPRINT_TAG, secretBackedCredentials } from '../../controller/providers/credentials.js';
import type { Provider, SecretsApi } from '../../controller/providers/types.js';
import { parseRoleComment } from '../../controller/resources/postgres/model.js';
import { canLogin, serverLog } from '../helpers/postgres.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';
import { createWorld, runtimeClient, type World } from '../helpers/world.js';

const GLOBEX = readFileSync(new URL('../../tenants/globex.yaml', import.meta.url), 'utf8');
const TENANT = 'globex';
const SECRET = names.dbSecret('openclaw', TENANT);

type Step = 'tag' | 'putValue' | 'rolePassword' | 'endSessions';

/** The same secret store, with one step of a rotation made to fail (a process killed there leaves the same state). */
function failingAt(base: Provider, step: Step | undefined): Provider {
  const fail = (name: Step) => { if (step === name) throw new Error(`injected failure at ${name}`); };
  const secrets: SecretsApi = {
    ...base.secrets,
    list: (prefix) => base.secrets.list(prefix),
    create: (...args) => base.secrets.create(...args),
    getValue: (name) => base.secrets.getValue(name),
    putValue: async (name, value) => { fail('putValue'); return base.secrets.putValue(name, value); },
    tag: async (name, tags) => { if (FINGERPRINT_TAG in tags) fail('tag'); return base.secrets.tag(name, tags); },
    untag: (name, keys) => base.secrets.untag(name, keys),
    scheduleDeletion: (name, days) => base.secrets.scheduleDeletion(name, days),
    restore: (name) => base.secrets.restore(name),
  };
  return { ...base, secrets, credentials: secretBackedCredentials(secrets, 'openclaw') };
}

function login(world: World, password: string): Promise<boolean> {
  return canLogin(world.db.url, names.pgRuntimeRole(TENANT), password);
}

async function alive(client: pg.Client): Promise<boolean> {
  return client.query('SELECT 1').then(() => true, () => false);
}

describe('rotating a tenant’s runtime password', () => {
  let world: World;
  let admin: pg.Client;
  let secretsDir: string;

  const rotate = async (step?: Step, env: Record<string, string> = {}) => {
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t), stderr: (t) => out.push(t), cwd: process.cwd(),
      env: { DATABASE_URL: world.db.url, OPENCLAW_TENANTS_DIR: world.tenantsDir, OPENCLAW_DATA_DIR: world.dataDir, OPENCLAW_ROTATION_GRACE: '1ms', ...env },
    };
    const sqlStep = step === 'rolePassword' ? /^\s*ALTER ROLE .* PASSWORD/ : step === 'endSessions' ? /pg_terminate_backend/ : undefined;
    cliOverrides.open = {
      provider: failingAt(secretsOnlyProvider(secretsDir), step),
      log: createLogger({ level: 'silent' }),
      beforeQuery: (text) => { if (sqlStep?.test(text)) throw new Error(`injected failure at ${step}`); },
      ...(env.OPENCLAW_ROTATION_GRACE ? { sleep: async () => {} } : {}),
    };
    try {
      return await rotateCommand.run(parseCommandArgs(rotateCommand, [TENANT]), io).catch(() => 1);
    } finally {
      cliOverrides.open = undefined;
    }
  };

  /** A fresh controller process (the local secret store caches what it read). */
  const nextProcess = () => world.reopen({ provider: secretsOnlyProvider(secretsDir) });

  /** The secret's value, its fingerprint tag and the role agree, and the stored password logs in. */
  const expectConsistent = async () => {
    await nextProcess();
    const stored = (await world.ctx.provider.credentials.get(TENANT))!;
    const tag = (await world.ctx.provider.secrets.list(SECRET)).find((s) => s.name === SECRET)!.tags[FINGERPRINT_TAG];
    const { rows } = await admin.query<{ comment: string }>(`SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`, [names.pgRuntimeRole(TENANT)]);
    expect(tag).toBe(stored.fingerprint);
    expect(parseRoleComment(rows[0].comment).fingerprint).toBe(stored.fingerprint);
    expect(await login(world, stored.password)).toBe(true);
    return stored;
  };

  beforeAll(async () => {
    secretsDir = mkdtempSync(join(tmpdir(), 'oc-rotation-'));
    world = await createWorld({ examples: false, provider: secretsOnlyProvider(secretsDir), extraEnv: { OPENCLAW_ROTATION_GRACE: '1ms' } });
    world.writeTenant('globex.yaml', GLOBEX);
    expect((await world.pass()).outcomes.filter((o) => o.error)).toEqual([]);
    admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await world?.close();
  });

  it('gives PostgreSQL a SCRAM-SHA-256 verifier that PostgreSQL itself would compute, never the password', async () => {
    // The verifier this code computes equals the server's own for the same salt and iterations.
    await admin.query(`SET password_encryption = 'scram-sha-256'`);
    await admin.query(`CREATE ROLE scram_probe PASSWORD 'correct-horse-battery-staple'`);
    const { rows } = await admin.query<{ verifier: string }>(`SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = 'scram_probe'`);
    await admin.query(`DROP ROLE scram_probe`);
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(rows[0].verifier)!;
    expect(scramSha256Verifier('correct-horse-battery-staple', { salt: Buffer.from(salt, 'base64'), iterations: Number(iterations) })).toBe(rows[0].verifier);

    // Every statement the server runs is logged while the role is rotated: the password is in none.
    await admin.query(`ALTER SYSTEM SET log_statement = 'all'`);
    await admin.query(`SELECT pg_reload_conf()`);
    const from = serverLog.length;
    try {
      expect(await rotate()).toBe(0);
    } finally {
      await admin.query(`ALTER SYSTEM RESET log_statement`);
      await admin.query(`SELECT pg_reload_conf()`);
    }
    const stored = await expectConsistent();
    const log = serverLog.slice(from).join('\n');
    expect(log).toMatch(/ALTER ROLE "tenant_globex_runtime" .* PASSWORD 'SCRAM-SHA-256\$4096:/);
    expect(log).not.toContain(stored.password);
    const role = await admin.query<{ verifier: string }>(`SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = $1`, [names.pgRuntimeRole(TENANT)]);
    expect(role.rows[0].verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('ends sessions opened with the old password only after the grace', async () => {
    const old = await runtimeClient(world, TENANT);
    old.on('error', () => {});
    // A grace of an hour: the rotation's own second pass leaves the old session alone.
    expect(await rotate(undefined, { OPENCLAW_ROTATION_GRACE: '1h' })).toBe(0);
    expect(await alive(old)).toBe(true);
    await nextProcess();
    // The controller's next pass, with a grace that is over, ends it; new sessions are untouched.
    const fresh = await runtimeClient(world, TENANT);
    await world.pass();
    expect(await alive(old)).toBe(false);
    expect(await alive(fresh)).toBe(true);
    await fresh.end();
  });

  for (const step of ['tag', 'putValue', 'rolePassword', 'endSessions'] as const) {
    it(`is repaired by the next pass when it stops at ${step}`, async () => {
      const before = await expectConsistent();
      const old = await runtimeClient(world, TENANT);
      old.on('error', () => {});
      expect(await rotate(step)).toBe(1);
      await nextProcess();
      await world.pass();
      const after = await expectConsistent();
      // Stopped before the new value was stored: the old password stays; after it: the new one is in force.
      const rotated = step === 'rolePassword' || step === 'endSessions';
      expect(after.password === before.password).toBe(!rotated);
      expect(await login(world, before.password)).toBe(!rotated);
      // Sessions of the old password end on the first pass after the grace (1 ms here) that follows the role's change.
      await world.pass();
      expect(await alive(old)).toBe(!rotated);
      await old.end().catch(() => {});
      // Nothing is left for a later pass to do.
      const planned = await world.ctx.reconciler.plan(await world.ctx.source.load());
      expect(planned.plan.tenants.flatMap((t) => t.changes)).toEqual([]);
    });
  }
});
