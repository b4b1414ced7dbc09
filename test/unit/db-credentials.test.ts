import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectWithFreshPassword, parseDbCredentials, readPasswordFrom } from '../../contract/db-credentials.js';
import { passwordOfSecret, regionOfArn } from '../../controller/providers/aws/db-password.js';
import { secretBackedCredentials } from '../../controller/providers/credentials.js';
import { LocalSecretStore, localSecretPaths } from '../../controller/providers/local/secret-store.js';
import { names } from '../../contract/names.js';

const refusal = () => Object.assign(new Error('password authentication failed for user "openclaw_admin"'), { code: '28P01' });

describe('a password read from where it is kept', () => {
  it('is read once for any number of connections, until the server refuses it', async () => {
    let reads = 0;
    const source = readPasswordFrom(async () => `password-${++reads}`, { now: () => 0, minRereadMs: 0 });
    expect(await Promise.all([source.password(), source.password(), source.password()])).toEqual(['password-1', 'password-1', 'password-1']);
    source.refused();
    expect(await source.password()).toBe('password-2');
    expect(await source.password()).toBe('password-2');
    expect(reads).toBe(2);
  });

  it('is read again after a refusal no sooner than the minimum interval', async () => {
    let now = 0;
    let reads = 0;
    const source = readPasswordFrom(async () => `password-${++reads}`, { now: () => now, minRereadMs: 1_000 });
    await source.password();
    now = 500;
    source.refused();
    expect(await source.password()).toBe('password-1');
    now = 1_000;
    expect(await source.password()).toBe('password-2');
  });

  it('keeps no failed read: the next connection reads again, and the error says what failed without the value', async () => {
    let reads = 0;
    const source = readPasswordFrom(async () => {
      reads++;
      if (reads === 1) throw new Error('ThrottlingException');
      return 'password-2';
    });
    await expect(source.password()).rejects.toMatchObject({ code: 'TRANSIENT', message: 'could not read the database password' });
    expect(await source.password()).toBe('password-2');
  });
});

describe('connecting with a fresh password', () => {
  it('tells the source and tries again when the password is refused, until it is accepted', async () => {
    let refusedCount = 0;
    let attempts = 0;
    const slept: number[] = [];
    const source = { password: async () => 'p', refused: () => { refusedCount++; } };
    const connected = await connectWithFreshPassword(async () => {
      if (++attempts < 3) throw refusal();
      return 'connection';
    }, source, { sleep: async (ms) => { slept.push(ms); }, delayMs: 100 });
    expect(connected).toBe('connection');
    expect(refusedCount).toBe(2);
    expect(slept).toEqual([100, 200]);
  });

  it('gives up after the last attempt with the server’s error, and never retries another failure', async () => {
    const source = { password: async () => 'p', refused: () => {} };
    let attempts = 0;
    await expect(connectWithFreshPassword(async () => { attempts++; throw refusal(); }, source, { attempts: 2, sleep: async () => {} })).rejects.toMatchObject({ code: '28P01' });
    expect(attempts).toBe(2);
    attempts = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    await expect(connectWithFreshPassword(async () => { attempts++; throw refused; }, source, { sleep: async () => {} })).rejects.toBe(refused);
    expect(attempts).toBe(1);
  });
});

describe('the password of an RDS-managed secret', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f1e2d3c-AbCdEf';

  it('is the "password" key of its JSON value, read in the secret’s own region', () => {
    expect(passwordOfSecret(arn, JSON.stringify({ username: 'openclaw_admin', password: 's3cr3t' }))).toBe('s3cr3t');
    expect(regionOfArn(arn)).toBe('eu-west-1');
  });

  it('is refused, naming the secret and not its value, when the value is not such JSON', () => {
    for (const text of [undefined, 'not json s3cr3t', JSON.stringify({ username: 'u' }), JSON.stringify({ password: '' }), JSON.stringify('s3cr3t')]) {
      let message = '';
      try {
        passwordOfSecret(arn, text);
      } catch (error) {
        message = error instanceof Error ? error.message : '';
      }
      expect(message, String(text)).toBe(`the database secret ${arn} is not JSON with a non-empty "password" string`);
    }
  });
});

describe('the credentials in a tenant\'s db secret', () => {
  it('are its username and password, nothing else of the JSON', () => {
    expect(parseDbCredentials(JSON.stringify({ username: 'tenant_acme_runtime', password: 's3cr3t', extra: 1 }))).toEqual({ credentials: { username: 'tenant_acme_runtime', password: 's3cr3t' } });
  });

  it('are refused, saying what is wrong and never quoting the value, when the value is not such JSON', () => {
    const cases: [string, string][] = [
      ['not json s3cr3t', 'are not JSON {"username","password"}'],
      [JSON.stringify({ username: 'u' }), 'lack a username or a password'],
      [JSON.stringify({ username: 'u', password: 7 }), 'lack a username or a password'],
      [JSON.stringify('s3cr3t'), 'lack a username or a password'],
      ['null', 'lack a username or a password'],
    ];
    for (const [text, problem] of cases) {
      const parsed = parseDbCredentials(text);
      expect(parsed, text).toEqual({ problem });
      expect(JSON.stringify(parsed)).not.toContain('s3cr3t');
    }
  });

  it('that someone changed by hand stop the controller with CONFLICT, naming the secret and not its value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-creds-'));
    try {
      const { storeFile, keyFile } = localSecretPaths(dir);
      const secrets = new LocalSecretStore(storeFile, keyFile);
      await secrets.create(names.dbSecret('openclaw', 'acme'), '{"user":"acme","pass":"s3cr3t"}', {});
      const read = secretBackedCredentials(secrets, 'openclaw').get('acme');
      await expect(read).rejects.toMatchObject({ code: 'CONFLICT', retryable: false, message: expect.stringContaining(names.dbSecret('openclaw', 'acme')) });
      await expect(read).rejects.not.toMatchObject({ message: expect.stringContaining('s3cr3t') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
