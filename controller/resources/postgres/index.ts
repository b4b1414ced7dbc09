import type { Migration } from '../../db/migrate.js';
import type { Pool } from '../../db/pool.js';
import type { ResourceModule } from '../../engine/types.js';
import type { DbCredentialStore } from '../../providers/types.js';
import { applyPostgresChange, applySharedTable, deletePostgresChange } from './apply.js';
import { diffPlatform, diffTenant } from './diff.js';
import type { PgDetail, PgFleetDetail, PgPlatformObserved, PgTenantObserved } from './model.js';
import { observePostgres, observePostgresFew, type ReadOnlyObservation } from './observe.js';

export interface PostgresModuleDeps {
  pool: Pool;
  credentials: DbCredentialStore;
  /** Tenant-schema migrations from migrations/tenant, in version order. */
  migrations: Migration[];
  /** How long sessions opened with a runtime role's previous password may go on after a rotation. */
  sessionGraceMs?: number;
  /** A read-only plan: observe with plain SELECTs only (see ReadOnlyObservation). */
  readOnly?: ReadOnlyObservation;
}

/** Schema, owner and runtime roles, grants and migrations per tenant; RLS on the shared tables. */
export function postgresModule(deps: PostgresModuleDeps): ResourceModule<PgTenantObserved, PgDetail, PgPlatformObserved, PgFleetDetail> {
  const latest = Math.max(0, ...deps.migrations.map((m) => m.version));
  return {
    kind: 'postgres',
    order: 20,
    async observe(tenants) {
      const observed = await observePostgres(deps.pool, deps.credentials, tenants, deps.readOnly);
      return { tenants: observed.tenants, fleet: observed.platform };
    },
    observeFew: async (tenants) => ({ tenants: await observePostgresFew(deps.pool, deps.credentials, tenants, deps.readOnly) }),
    diff: (input) => diffTenant(input, latest, deps.sessionGraceMs),
    apply: (change) => applyPostgresChange(change, deps),
    delete: (change) => deletePostgresChange(change, deps),
    describe: (_tenant, observed) => ({ migrationVersion: observed?.migrationVersion ?? 0, latestMigration: latest }),
    fleet: {
      diff: ({ observed }) => diffPlatform(observed),
      apply: (change) => applySharedTable(change, deps.pool),
    },
  };
}
