/**
 * Where the connectors write: the tenant's session (its runtime role, `app.tenant_id` set), so
 * row-level security checks every row. A page's rows and the cursor past them commit together,
 * so the stored cursor never runs ahead of the rows; a crash before COMMIT leaves both as they were.
 */
import type { Queryable } from '../runtime/db.js';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';

export async function readCursor(db: Queryable, tenant: string, integration: IntegrationProviderName, stream: string): Promise<unknown> {
  const { rows } = await db.query<{ cursor: unknown }>(
    'SELECT cursor FROM app.connector_cursors WHERE tenant_id = $1 AND integration = $2 AND stream = $3', [tenant, integration, stream]);
  return rows[0]?.cursor;
}

export async function writeCursor(db: Queryable, tenant: string, integration: IntegrationProviderName, stream: string, cursor: unknown): Promise<void> {
  await db.query(
    `INSERT INTO app.connector_cursors (tenant_id, integration, stream, cursor, updated_at) VALUES ($1, $2, $3, $4::jsonb, now())
     ON CONFLICT (tenant_id, integration, stream) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
    [tenant, integration, stream, JSON.stringify(cursor)]);
}

/** Runs `fn` in a transaction of its own: COMMIT when it returns, ROLLBACK when it throws. */
export async function inTransaction<T>(db: Queryable, fn: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const result = await fn();
    await db.query('COMMIT');
    return result;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
