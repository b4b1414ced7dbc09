import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { poolExecutorFor } from '../../controller/compose/launchers.js';
import { loadConfig } from '../../controller/config.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import { validateDirectory } from '../../controller/manifests/index.js';
import { activeEntry } from '../../controller/scheduler/entries.js';

// The AWS executor of pooled runs, with a stand-in for agents/run.ts that records the environment and
// uid it was started with. The test process plays the worker: it holds its own AWS credentials.
const root = mkdtempSync(join(tmpdir(), 'openclaw-pool-executor-'));
chmodSync(root, 0o755);
const out = join(root, 'out');
mkdirSync(out, { mode: 0o777 });
chmodSync(out, 0o777);
mkdirSync(join(root, 'agents'));
writeFileSync(join(root, 'agents', 'run.ts'), `import { writeFileSync } from 'node:fs';
writeFileSync('out/' + process.env.OPENCLAW_RUN_ID + '.json', JSON.stringify({ env: process.env, uid: process.getuid?.() }));
`);
symlinkSync(new URL('../../node_modules', import.meta.url).pathname, join(root, 'node_modules'));
mkdirSync(join(root, 'tenants'));
writeFileSync(join(root, 'tenants', 'hooli.yaml'), `apiVersion: openclaw.io/v1alpha1
kind: Tenant
metadata: { name: hooli }
spec:
  displayName: Hooli
  contact: { email: ops@hooli.example }
  tier: starter
  agents: [{ name: butler, schedule: "0 7 * * *" }]
`);

const WORKER = { AWS_ACCESS_KEY_ID: 'AKIDWORKER', AWS_SECRET_ACCESS_KEY: 'worker-secret', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/worker', AWS_PROFILE: 'worker' };
const saved = Object.fromEntries(Object.keys(WORKER).map((k) => [k, process.env[k]]));
Object.assign(process.env, WORKER);
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  rmSync(root, { recursive: true, force: true });
});

describe('the AWS executor of pooled runs', () => {
  it("starts a run with the credentials vended for it and nothing of the worker's: not its keys, its profile, its task role's endpoint or its database login", async () => {
    const config = loadConfig({
      OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'eu-west-1', OPENCLAW_TENANT_BUCKET: 'openclaw-tenants', OPENCLAW_DATA_DIR: join(root, 'data'),
      OPENCLAW_PERMISSIONS_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary',
    }, root);
    const { tenants } = await validateDirectory(join(root, 'tenants'));
    const entry = activeEntry(desiredTenant(tenants[0].manifest, { accountId: '123456789012', partition: 'aws', region: 'eu-west-1', bucket: 'openclaw-tenants', iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw' }), 'hooli', 'butler');
    if (typeof entry === 'string') throw new Error(entry);
    const executor = poolExecutorFor(config, { username: 'openclaw_pool', password: 'pool-password' }, 'postgresql://openclaw_pool_worker:worker-db-password@db.internal:5432/openclaw?sslmode=verify-full', { now: Date.now, sleep: async () => {} }, undefined, root);
    const vended = { AWS_ACCESS_KEY_ID: 'ASIAVENDED', AWS_SECRET_ACCESS_KEY: 'vended-secret', AWS_SESSION_TOKEN: 'vended-token' };
    const { taskArn } = await executor.launch({ runId: 'run-env', entry, env: { OPENCLAW_TENANT: 'hooli', OPENCLAW_RUN_ID: 'run-env', OPENCLAW_ISOLATION: 'pool', ...vended } });
    await executor.wait!(taskArn);
    expect((await executor.describe([taskArn]))[0]).toMatchObject({ status: 'stopped', exitCode: 0 });
    const { env, uid } = JSON.parse(readFileSync(join(out, 'run-env.json'), 'utf8')) as { env: Record<string, string>; uid: number };
    expect(Object.keys(env).filter((k) => k.startsWith('AWS_')).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
    expect(env).toMatchObject({ ...vended, AWS_REGION: 'eu-west-1', OPENCLAW_PROVIDER: 'aws', OPENCLAW_TENANT_BUCKET: 'openclaw-tenants' });
    expect(env.OPENCLAW_DATA_DIR).toBeUndefined();
    expect(env.DATABASE_URL).toBe('postgresql://db.internal:5432/openclaw?sslmode=verify-full');
    expect(JSON.parse(env.OPENCLAW_DB_CREDENTIALS)).toEqual({ username: 'openclaw_pool', password: 'pool-password' });
    expect(JSON.stringify(env)).not.toMatch(/AKIDWORKER|worker-secret|worker-db-password|\/v2\/credentials/);
    // As root (the worker's container), the run is the tenant's unprivileged uid: it cannot read the worker's /proc environment.
    if (process.getuid?.() === 0) expect(uid).toBeGreaterThanOrEqual(700_000);
    await executor.close();
  }, 30_000);
});
