import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControllerError, ProgrammingError, TransientError, isRetryable } from '../../contract/errors.js';
import { LocalSecretStore } from '../../controller/providers/local/secret-store.js';
import { LocalIam } from '../../controller/providers/local/iam.js';
import { connectDatabase } from '../../controller/db/connect.js';

describe('retry or stop', () => {
  it('stops on a fault in the controller’s own code instead of retrying it every pass', () => {
    const fault = (() => {
      try {
        // A change planned without its detail, read as if it had one: the engine's own mistake.
        const planned: { detail?: { op: string } } = JSON.parse('{}');
        planned.detail!.op.toString();
      } catch (error) {
        return error;
      }
    })();
    expect(fault).toBeInstanceOf(TypeError);
    expect(isRetryable(fault)).toBe(false);
    expect(isRetryable(new RangeError('Invalid array length'))).toBe(false);
    expect(isRetryable(new ProgrammingError('postgres: change carries no detail'))).toBe(false);
  });

  it('retries what the next pass may not meet again: a dropped connection, a failed fetch, an unknown error', () => {
    expect(isRetryable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }))).toBe(true);
    expect(isRetryable(new Error('something else'))).toBe(true);
    expect(isRetryable(new TransientError('throttled'))).toBe(true);
  });

  it('tells a secret that does not exist from one the controller does not own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-errors-'));
    const store = new LocalSecretStore(join(dir, 'secrets.json'), join(dir, 'secrets.key'));
    const missing = await store.getValue('openclaw/tenants/nobody/db').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ControllerError);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'secret openclaw/tenants/nobody/db does not exist' });
  });
});

describe('a file the controller keeps for itself, damaged on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-corrupt-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
    return join(dir, path);
  };

  it('stops the local secret store with an error naming the file and saying it is not JSON', async () => {
    const file = write('secrets/store.json', '[{"name": "openclaw/tenants/acme/db", "arn"');
    const store = new LocalSecretStore(file, join(dir, 'secrets.key'));
    await expect(store.list('openclaw/')).rejects.toMatchObject({ code: 'INTERNAL', retryable: false, message: expect.stringMatching(new RegExp(`^${file} is corrupt: it is not JSON \\(.+\\); expected a list of secrets`)) });
  });

  it('stops the local IAM with an error naming the role file and the field that has the wrong type', async () => {
    const file = write('iam/roles/openclaw-tenant-acme.json', JSON.stringify({ name: 'openclaw-tenant-acme', path: '/openclaw/', arn: 'arn:aws:iam::000000000000:role/openclaw/openclaw-tenant-acme', assumeRolePolicy: '{}', inlinePolicies: {}, tags: { tenant: 7 } }));
    await expect(new LocalIam(dir, '000000000000').getRole('openclaw-tenant-acme')).rejects.toThrow(`${file} is corrupt: expected an IAM role (name, path, arn, assumeRolePolicy, inlinePolicies, tags), but /tags/tenant must be string`);
  });

  it('refuses to join an embedded PostgreSQL whose address file lost its pid, naming the file, before starting anything', async () => {
    const dataDir = join(dir, 'pg');
    const file = write('pg/postgres.json', JSON.stringify({ url: 'postgres://localhost:1/x' }));
    await expect(connectDatabase({ dataDir })).rejects.toThrow(`${file} is corrupt: expected the embedded PostgreSQL's url and pid, but the document must have required property 'pid'`);
  });
});
