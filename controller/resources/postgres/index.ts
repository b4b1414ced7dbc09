import type { Migration } from '../../db/migrate.js';
import type { Pool } from '../../db/pool.js';
import { PLATFORM, type ResourceModule } from '../../engine/types.js';
import type { DbCredentialStore } from '../../providers/types.js';
import { applyPostgresChange, deletePostgresChange } from './apply.js';
import { diffPlatform, diffTenant } from './diff.js';
import type { PgObserved, PgPlatformObserved, PgTenantObserved } from './model.js';
import { observePostgres } from './observe.js';

export interface PostgresModuleDeps {
  pool: Pool;
  credentials: DbCredentialStore;
  /** Tenant-schema migrations from migrations/tenant, in version order. */
  migrations: Migration[];
  /** How long sessions opened with a runtime role's previous password may go on after a rotation. */
  sessionGraceMs?: number;
}

/** Schema, owner and runtime roles, grants and migrations per tenant; RLS on the shared tables. */
export function postgresModule(deps: PostgresModuleDeps): ResourceModule<PgObserved> {
  const latest = Math.max(0, ...deps.migrations.map((m) => m.version));
  return {
    kind: 'postgres',
    order: 20,
    async observe(tenants) {
      const observed = await observePostgres(deps.pool, deps.credentials, tenants);
      const result = new Map<string, PgObserved>(observed.tenants);
      result.set(PLATFORM, observed.platform);
      return result;
    },
    diff(input) {
      if (input.tenant === PLATFORM) return input.observed ? diffPlatform(PLATFORM, input.observed as PgPlatformObserved) : [];
      return diffTenant({ ...input, observed: input.observed as PgTenantObserved | undefined }, latest, deps.sessionGraceMs);
    },
    apply: (change) => applyPostgresChange(change, deps),
    delete: (change) => deletePostgresChange(change, deps),
    describe(_tenant, observed) {
      const tenant = observed as PgTenantObserved | undefined;
      return { migrationVersion: tenant?.migrationVersion ?? 0, latestMigration: latest };
    },
  };
}
