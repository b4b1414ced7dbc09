/**
 * What a read-only `tenantctl plan` can tell about the database's own schemas without changing
 * them: which controller and platform migrations are applied, and what that hides from the plan.
 */
import { readMigrations } from './migrate.js';
import type { Pool } from './pool.js';

export interface LedgerState {
  /** Highest version applied (0: the ledger does not exist). */
  applied: number;
  /** Highest version this controller ships. */
  latest: number;
}

export interface SchemaState {
  controller: LedgerState;
  platform: LedgerState;
  /** The isolation policy as the server deparses it, recorded by a controller of this version; unknown to a plan otherwise. */
  canonicalPolicy?: string;
}

export const ISOLATION_POLICY_STATE = 'isolationPolicy';

/** Reads the two ledgers (and the recorded policy text) with plain SELECTs; a missing table is "nothing applied". */
export async function readSchemaState(pool: Pool, policyExpression: string): Promise<SchemaState> {
  const { rows } = await pool.query<{ controller: boolean; platform: boolean; state: boolean }>(
    `SELECT to_regclass('openclaw.schema_migrations') IS NOT NULL AS controller,
            to_regclass('openclaw.platform_migrations') IS NOT NULL AS platform,
            to_regclass('openclaw.controller_state') IS NOT NULL AS state`,
  );
  const present = rows[0];
  const applied = async (ledger: string, exists: boolean) =>
    exists ? (await pool.query<{ version: number | null }>(`SELECT max(version)::int AS version FROM openclaw.${ledger}`)).rows[0].version ?? 0 : 0;
  const latest = async (set: 'controller' | 'platform') => Math.max(0, ...(await readMigrations(set)).map((m) => m.version));
  const stored = present.state
    ? (await pool.query<{ value: { expression: string; deparsed: string } }>('SELECT value FROM openclaw.controller_state WHERE key = $1', [ISOLATION_POLICY_STATE])).rows[0]?.value
    : undefined;
  return {
    controller: { applied: await applied('schema_migrations', present.controller), latest: await latest('controller') },
    platform: { applied: await applied('platform_migrations', present.platform), latest: await latest('platform') },
    ...(stored?.expression === policyExpression ? { canonicalPolicy: stored.deparsed } : {}),
  };
}

/** Pure: what a plan against this state cannot show, one sentence each. */
export function schemaNotes(state: SchemaState): string[] {
  const notes: string[] = [];
  const { controller, platform } = state;
  if (controller.applied === 0) {
    notes.push("the controller's schema (openclaw) does not exist in this database: no controller has applied anything here, so every declared tenant is planned as new, and previously applied tenants, held deletions, confirmations and tenant migrations cannot be seen");
  } else if (controller.applied < controller.latest) {
    notes.push(`apply first migrates the controller's schema from version ${controller.applied} to ${controller.latest}; this plan reads version ${controller.applied}`);
  }
  if (platform.applied === 0) {
    notes.push(`the shared tables (schema app) do not exist yet: apply creates them (platform migrations 1 to ${platform.latest}) and then enables row-level security on them, which this plan cannot show`);
  } else if (platform.applied < platform.latest) {
    notes.push(`apply first runs platform migrations ${platform.applied + 1} to ${platform.latest} on the shared tables; this plan reads them as they are`);
  }
  if (platform.applied > 0 && !state.canonicalPolicy) {
    notes.push('the text of the row-level security policies cannot be verified read-only until a controller of this version has run against this database; their presence and shape are checked');
  }
  return notes;
}
