import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentIdentity } from '../../controller/scheduler/local-identity.js';
import { localLauncher } from '../../controller/scheduler/local-launcher.js';
import type { ScheduleEntry } from '../../controller/scheduler/entries.js';
import { TIER_LIMITS } from '../../controller/usage/limits.js';

const BUCKET = 'local-tenants';
const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * A stand-in for agents/run.ts (the launcher runs `node --import tsx agents/run.ts <agent>` in its cwd):
 * it reports who it runs as, its environment, and what it can reach, into its own output folder.
 */
const PROBE = `import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
const attempt = (fn) => { try { fn(); return 'ok'; } catch (e) { return e.code; } };
const data = process.env.OPENCLAW_DATA_DIR;
const own = data + '/s3/${BUCKET}/tenants/' + process.env.OPENCLAW_TENANT + '/agents';
writeFileSync(own + '/probe.json', JSON.stringify({
  uid: process.getuid(),
  env: Object.keys(process.env).sort(),
  key: attempt(() => readFileSync(data + '/keys/secrets.key')),
  otherTenant: attempt(() => readdirSync(data + '/s3/${BUCKET}/tenants/globex/agents')),
  tenantList: attempt(() => readdirSync(data + '/s3/${BUCKET}/tenants')),
  outbox: attempt(() => writeFileSync(data + '/outbox/' + process.env.OPENCLAW_TENANT + '/probe.eml', 'probe')),
  otherOutbox: attempt(() => readdirSync(data + '/outbox/globex')),
}));
`;

const entry = (tenant: string): ScheduleEntry => ({
  key: `${tenant}/butler`, tenant, displayName: tenant, agent: 'butler', tier: 'starter', isolation: 'silo', schedule: '0 7 * * *', timezone: 'UTC', label: '0 7 * * * UTC',
  concurrencyPolicy: 'Forbid', startingDeadlineMs: 60_000, roleArn: 'local', tags: {}, dbSecret: `openclaw/tenants/${tenant}/db`, integrationSecrets: [],
  limits: TIER_LIMITS.starter, recipients: [],
});

describe.skipIf(process.getuid?.() !== 0)('local agents, when the controller runs as root', () => {
  let root: string;
  let dataDir: string;
  let cwd: string;
  const saved = { ...process.env };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'openclaw-identity-'));
    chmodSync(root, 0o711);
    dataDir = join(root, 'data');
    // The local secret store keeps its key like this (providers/local/secret-store.ts).
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'keys', 'secrets.key'), 'key', { mode: 0o600 });
    cwd = join(root, 'code');
    mkdirSync(join(cwd, 'agents'), { recursive: true });
    writeFileSync(join(cwd, 'agents', 'run.ts'), PROBE);
    symlinkSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'));
    chmodSync(cwd, 0o755);
    Object.assign(process.env, {
      DATABASE_URL: 'postgres://postgres:superuser-password@127.0.0.1:5432/postgres',
      AWS_SECRET_ACCESS_KEY: 'aws-secret', OPENCLAW_GIT_TOKEN: 'git-token',
    });
  });
  afterAll(() => {
    process.env = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it('gives each tenant a user of its own, kept across restarts', async () => {
    const acme = await agentIdentity(dataDir, BUCKET, 'acme');
    const globex = await agentIdentity(dataDir, BUCKET, 'globex');
    expect(acme!.uid).toBeGreaterThan(0);
    expect(globex!.uid).not.toBe(acme!.uid);
    expect((await agentIdentity(dataDir, BUCKET, 'acme'))!.uid).toBe(acme!.uid);
  });

  it('runs an agent as that user, with a minimal environment, unable to read the key or another tenant’s folder', async () => {
    // Another tenant with a user and folders of its own, for acme's run to try.
    await agentIdentity(dataDir, BUCKET, 'globex');
    const launcher = localLauncher({
      dataDir, bucket: BUCKET, databaseUrl: process.env.DATABASE_URL!, cwd, now: Date.now,
      credentials: { get: async () => ({ username: 'tenant_acme_runtime', password: 'runtime-password', fingerprint: 'f' }) },
    });
    const { taskArn } = await launcher.launch({ runId: 'r1', entry: entry('acme'), env: { OPENCLAW_TENANT: 'acme' } });
    await launcher.wait(taskArn);
    const [state] = await launcher.describe([taskArn]);
    expect(state).toMatchObject({ status: 'stopped', exitCode: 0 });
    const probe = JSON.parse(readFileSync(join(dataDir, 's3', BUCKET, 'tenants', 'acme', 'agents', 'probe.json'), 'utf8'));
    expect(probe.uid).toBe((await agentIdentity(dataDir, BUCKET, 'acme'))!.uid);
    expect(probe).toMatchObject({ key: 'EACCES', otherTenant: 'EACCES', tenantList: 'EACCES', outbox: 'ok', otherOutbox: 'EACCES' });
    expect(probe.env).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(probe.env).not.toContain('OPENCLAW_GIT_TOKEN');
    const log = readFileSync(join(dataDir, 'runs', 'r1.log'), 'utf8');
    expect(log).toBe('');
    await launcher.close();
  }, 30_000);
});
