import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

describe('the integration test harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('harness');
  });
  afterAll(async () => db?.drop());

  it('gives each test file a real PostgreSQL database where schemas and roles can be created', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const role = `harness_role_${db.name.slice(-8)}`;
      await client.query('CREATE SCHEMA harness_probe');
      await client.query(`CREATE ROLE ${role} NOLOGIN`);
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'harness_probe')::int AS schemas,
                (SELECT count(*) FROM pg_roles WHERE rolname = $1)::int AS roles,
                current_setting('server_version_num')::int AS version`,
        [role],
      );
      expect(rows[0]).toMatchObject({ schemas: 1, roles: 1 });
      expect(rows[0].version).toBeGreaterThanOrEqual(140000);
      await client.query(`DROP ROLE ${role}`);
    } finally {
      await client.end();
    }
  });
});
