import { describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import type { CliIo } from '../../controller/cli/command.js';
import { roleSessionName } from '../../controller/pool/vend.js';

const STS_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

describe("a pooled run's role session name", () => {
  it('is run-<run id> for the scheduler\'s ids, which STS accepts as they are', () => {
    expect(roleSessionName('4f7c2a8e-0d1b-4c3a-9e5f-6a7b8c9d0e1f')).toBe('run-4f7c2a8e-0d1b-4c3a-9e5f-6a7b8c9d0e1f');
  });

  it('fits any other id into what STS allows, and keeps two ids apart that differ only past the cut or in a refused character', () => {
    const long = 'x'.repeat(80);
    for (const id of [long, `${long}y`, 'a b/c', 'a_b/c', 'ü']) expect(roleSessionName(id), id).toMatch(STS_SESSION_NAME);
    expect(roleSessionName(long)).not.toBe(roleSessionName(`${long}y`));
    expect(roleSessionName('a b/c')).not.toBe(roleSessionName('a-b-c'));
  });
});

describe('tenantctl pool-worker', () => {
  const run = async (env: Record<string, string>) => {
    const err: string[] = [];
    const io: CliIo = { stdout: () => {}, stderr: (t) => err.push(t), env, cwd: process.cwd() };
    return { code: await main(['pool-worker'], io), err: err.join('') };
  };
  const AWS = { OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'eu-west-1', OPENCLAW_TENANT_BUCKET: 'openclaw-tenants', OPENCLAW_PERMISSIONS_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary' };
  const DB = 'postgresql://openclaw_pool_worker@127.0.0.1:1/openclaw';

  it('refuses to start without what it needs, naming the variable and what is allowed', async () => {
    expect(await run({ ...AWS, OPENCLAW_POOL_WORKERS: '2', OPENCLAW_TENANT_ACCESS_ROLE_ARN: 'arn:aws:iam::123456789012:role/openclaw/openclaw-tenant-access' }))
      .toEqual({ code: 1, err: expect.stringContaining('DATABASE_URL: required by the pooled workers') });
    expect(await run({ ...AWS, DATABASE_URL: DB, OPENCLAW_POOL_WORKERS: '2' }))
      .toEqual({ code: 1, err: expect.stringContaining('OPENCLAW_TENANT_ACCESS_ROLE_ARN: required by the pooled workers') });
    expect(await run({ ...AWS, DATABASE_URL: DB }))
      .toEqual({ code: 1, err: expect.stringContaining('OPENCLAW_POOL_WORKERS: at least 1') });
    expect(await run({ OPENCLAW_PROVIDER: 'local', DATABASE_URL: DB, OPENCLAW_POOL_WORKERS: '2' }))
      .toEqual({ code: 1, err: expect.stringContaining('OPENCLAW_PROVIDER: the pooled worker service runs on aws') });
  });

  it('refuses a credential lifetime STS would refuse', async () => {
    const { code, err } = await run({ ...AWS, DATABASE_URL: DB, OPENCLAW_POOL_WORKERS: '2', OPENCLAW_POOL_CREDENTIAL_SECONDS: '600' });
    expect(code).toBe(1);
    expect(err).toMatch(/OPENCLAW_POOL_CREDENTIAL_SECONDS.*900/);
  });
});
