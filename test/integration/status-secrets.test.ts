import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import { createLogger, REDACT_PATHS } from '../../contract/logger.js';
import { createStatusWorld, EXAMPLE_TENANTS, type StatusWorld } from './status-world.js';

/** The forms a leaked password could take in a response or a log line. */
function leakForms(password: string): string[] {
  return [password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1), Buffer.from(password).toString('base64')];
}

describe('no secret value in status, metrics, the page, the CLI or the logs', () => {
  let sw: StatusWorld;
  let passwords: string[];

  beforeAll(async () => {
    sw = await createStatusWorld();
    passwords = await sw.passwords();
  });

  afterAll(async () => {
    await sw?.close();
  });

  function expectNoPassword(where: string, text: string): void {
    for (const password of passwords) {
      for (const form of leakForms(password)) expect(text.includes(form), `${where} contains a tenant's database password`).toBe(false);
    }
  }

  it('generated a password for every tenant (so the scans below look for something real)', () => {
    expect(passwords).toHaveLength(EXAMPLE_TENANTS.length);
    for (const password of passwords) expect(password.length).toBeGreaterThanOrEqual(16);
  });

  it('leaves every password out of every HTTP response', async () => {
    const paths = ['/', '/tenants/acme', '/app.js', '/style.css', '/favicon.svg', '/healthz', '/readyz', '/metrics', '/api/fleet', '/api/tenants',
      ...EXAMPLE_TENANTS.map((t) => `/api/tenants/${t}`), '/api/tenants/nosuch'];
    for (const path of paths) {
      const response = await sw.fetch(path);
      expect(response.status, path).toBeLessThan(500);
      expectNoPassword(path, await response.text());
    }
  });

  it('leaves every password out of tenantctl status and describe, in text and JSON', async () => {
    const io = { stdout: (text: string) => { out += text; }, stderr: (text: string) => { out += text; }, env: { DATABASE_URL: sw.world.db.url }, cwd: sw.world.dataDir };
    let out = '';
    for (const format of ['text', 'json']) {
      await main(['status', '--output', format], io);
      for (const tenant of EXAMPLE_TENANTS) await main(['describe', tenant, '--output', format], io);
    }
    expect(out).toContain('Conditions:');
    expectNoPassword('tenantctl output', out);
  });

  it('writes no password to any log line of a pass, and binds tenant, resource and revision', async () => {
    await sw.admin.query('ALTER ROLE tenant_acme_runtime BYPASSRLS');
    await sw.world.pass();
    const lines = sw.world.logLines;
    expect(lines.length).toBeGreaterThan(10);
    for (const [i, line] of lines.entries()) expectNoPassword(`log line ${i}`, line);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.some((l) => l.tenant === 'acme' && typeof l.revision === 'string' && typeof l.resource === 'string')).toBe(true);
  });

  it('redacts password, secret and credential fields that reach a log call by mistake', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger({ destination: sink });
    log.info({ password: 'pw-top-level', db: { password: 'pw-nested' }, tenant: { db: { password: 'pw-deep' } }, credentials: { password: 'pw-creds' }, secretString: 'pw-secret-string', databaseUrl: 'postgres://u:pw-url@h/d' }, 'oops');
    log.child({ tenant: 'acme' }).warn({ change: { password: 'pw-child' } }, 'oops again');
    const text = lines.join('');
    for (const value of ['pw-top-level', 'pw-nested', 'pw-deep', 'pw-creds', 'pw-secret-string', 'pw-url', 'pw-child']) expect(text).not.toContain(value);
    expect(JSON.parse(lines[0]).password).toBe('[redacted]');
    expect(REDACT_PATHS).toContain('password');
  });
});
