import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, superuserPassword } from '../../controller/db/embedded.js';

describe('the embedded PostgreSQL superuser password', () => {
  const dirs: string[] = [];
  const dir = () => {
    const created = mkdtempSync(join(tmpdir(), 'openclaw-pgpass-'));
    chmodSync(created, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its folder
    dirs.push(created);
    return created;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('is generated per data directory, kept in a file only its owner can read, and stable', async () => {
    const one = dir();
    const first = await superuserPassword(one);
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(statSync(join(one, 'pg-superuser.password')).mode & 0o777).toBe(0o600);
    expect(await superuserPassword(one)).toBe(first);
    expect(await superuserPassword(dir())).not.toBe(first);
  });

  it('is the only password the server accepts, and replaces the old constant one of an existing cluster', async () => {
    const dataDir = dir();
    // A data directory from before: its cluster was initialised with the constant password.
    writeFileSync(join(dataDir, 'pg-superuser.password'), 'openclaw-local\n', { mode: 0o600 });
    const server = await startEmbeddedPostgres({ dataDir });
    try {
      const url = new URL(server.url);
      expect(decodeURIComponent(url.password)).toBe(await superuserPassword(dataDir));
      expect(url.password).not.toBe('openclaw-local');
      const ok = new pg.Client({ connectionString: server.url });
      await ok.connect();
      await ok.end();
      url.password = 'openclaw-local';
      const refused = new pg.Client({ connectionString: url.toString() });
      await expect(refused.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  });
});
