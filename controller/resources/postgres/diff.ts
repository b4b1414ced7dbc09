import { names } from '../../../contract/names.js';
import { limitsDiff } from './limits.js';
import type { Change, DiffInput, FleetChange } from '../../engine/types.js';
import { changeFactory, fleetChangeFactory } from '../ownership.js';
import {
  ISOLATION_EXPRESSION, ISOLATION_POLICY, RUNTIME_GROUP, SHARED_SCHEMA, parseRoleComment,
  type PgDetail, type PgFleetDetail, type PgPlatformObserved, type PgRole, type PgTenantObserved,
} from './model.js';

const KIND = 'postgres';

const ROLE_FLAGS = ['login', 'superuser', 'bypassrls', 'createrole', 'createdb'] as const;
type RoleFlags = Pick<PgRole, (typeof ROLE_FLAGS)[number]>;
const RUNTIME_FLAGS: RoleFlags = { login: true, superuser: false, bypassrls: false, createrole: false, createdb: false };

type PgChange = Change<PgDetail>;
const change = changeFactory<PgDetail>(KIND);
const fleetChange = fleetChangeFactory<PgFleetDetail>(KIND);

/** Pure diff of one tenant's PostgreSQL resources. */
export function diffTenant(input: DiffInput<PgTenantObserved>, latestMigration: number, sessionGraceMs = 0): PgChange[] {
  const { tenant } = input;
  const observed = input.observed ?? { schemaGrants: [], runtimeForeignGrants: [], runtimeHasConnect: false, migrationVersion: 0 };
  const ownerName = names.pgOwnerRole(tenant);
  const runtimeName = names.pgRuntimeRole(tenant);
  const schemaName = names.pgSchema(tenant);

  const conflicts = [observed.owner, observed.runtime]
    .filter((role): role is PgRole => role !== undefined && parseRoleComment(role.comment).tenant !== tenant)
    .map((role) => change(tenant, `role/${role.name}`, 'noop', { conflict: `role ${role.name} exists but is not managed by the controller for tenant ${tenant}; it is left untouched` }));
  if (observed.schema && observed.schema.owner !== ownerName) {
    conflicts.push(change(tenant, `schema/${schemaName}`, 'noop', { conflict: `schema ${schemaName} exists but is owned by ${observed.schema.owner}, not ${ownerName}; it is left untouched` }));
  }
  if (conflicts.length > 0) return conflicts;

  if (!input.desired) return offboard(input, observed);
  if (input.desired.isolation === 'pool') return pooled(tenant, observed);

  const changes: PgChange[] = [];
  if (!observed.owner) changes.push(change(tenant, `role/${ownerName}`, 'create', { after: { login: false }, detail: { op: 'owner-role', role: ownerName } }));

  const credentialCurrent = observed.runtime !== undefined && observed.storedFingerprint !== undefined &&
    parseRoleComment(observed.runtime.comment).fingerprint === observed.storedFingerprint;
  if (!observed.runtime) {
    changes.push(change(tenant, `role/${runtimeName}`, 'create', { after: { ...RUNTIME_FLAGS, password: '(from the tenant db secret)' }, detail: { op: 'runtime-role', role: runtimeName } }));
  } else {
    const fields = flagDiff(observed.runtime, RUNTIME_FLAGS);
    if (!credentialCurrent) fields.push('password');
    if (fields.length > 0) {
      changes.push(change(tenant, `role/${runtimeName}`, 'update', {
        fields, before: pickFlags(observed.runtime), after: RUNTIME_FLAGS, detail: { op: 'runtime-role', role: runtimeName },
      }));
    }
  }

  const limits = limitsDiff(tenant, observed.runtime, input.desired.limits);
  if (limits) changes.push(limits);

  const stale = staleSessions(tenant, observed, sessionGraceMs);
  if (stale) changes.push(stale);

  if (!observed.schema) changes.push(change(tenant, `schema/${schemaName}`, 'create', { after: { owner: ownerName }, detail: { op: 'schema', schema: schemaName } }));

  const grants = grantDiff(tenant, observed);
  if (grants) changes.push(grants);

  if (observed.migrationVersion < latestMigration) {
    changes.push(change(tenant, `migrations/${schemaName}`, 'update', {
      fields: ['version'], before: { version: observed.migrationVersion }, after: { version: latestMigration },
      detail: { op: 'migrations', from: observed.migrationVersion }, facts: { migrationVersion: latestMigration },
    }));
  }
  // Pool → silo: the rows it kept in the shared tables move into the schema made above.
  if (observed.placement === 'pool') {
    changes.push(change(tenant, `placement/${tenant}`, 'update', {
      fields: ['isolation'], before: { isolation: 'pool', rows: 'app.notes, app.settings, app.digests' },
      after: { isolation: 'silo', rows: `${schemaName}.notes, ${schemaName}.settings, ${schemaName}.digests` },
      detail: { op: 'move-in', schema: schemaName },
    }));
  }
  return changes;
}

/**
 * A pooled tenant has no schema and no roles of its own. Coming from silo, its schema's rows move to
 * the shared tables and the schema goes in one transaction, then its roles are dropped (nothing is lost:
 * the rows moved, and the roles are made again by a move back).
 */
function pooled(tenant: string, observed: PgTenantObserved): PgChange[] {
  const schemaName = names.pgSchema(tenant);
  const changes: PgChange[] = [];
  if (observed.schema) {
    changes.push(change(tenant, `placement/${tenant}`, 'update', {
      fields: ['isolation'], before: { isolation: 'silo', rows: `${schemaName}.notes, ${schemaName}.settings, ${schemaName}.digests` },
      after: { isolation: 'pool', rows: 'app.notes, app.settings, app.digests', schema: 'dropped once its rows moved' },
      detail: { op: 'move-out', schema: schemaName },
    }));
  } else if (observed.placement !== 'pool') {
    changes.push(change(tenant, `placement/${tenant}`, 'create', { after: { isolation: 'pool', rows: 'shared tables only' }, detail: { op: 'placement' } }));
  }
  if (observed.runtime) changes.push(change(tenant, `role/${observed.runtime.name}`, 'delete', { before: pickFlags(observed.runtime), after: null, detail: { op: 'drop-role', role: observed.runtime.name } }));
  if (observed.owner) changes.push(change(tenant, `role/${observed.owner.name}`, 'delete', { before: { login: false }, after: null, detail: { op: 'drop-role', role: observed.owner.name } }));
  return changes;
}

/** Sessions of the runtime role older than its current password, once the grace after the rotation is over. */
function staleSessions(tenant: string, observed: PgTenantObserved, graceMs: number): PgChange | undefined {
  const rotatedAt = observed.runtime ? parseRoleComment(observed.runtime.comment).rotatedAt : undefined;
  if (rotatedAt === undefined || observed.oldestSession === undefined || observed.oldestSession >= rotatedAt) return undefined;
  if (observed.observedAt === undefined || observed.observedAt < rotatedAt + graceMs) return undefined;
  const runtime = names.pgRuntimeRole(tenant);
  return change(tenant, `sessions/${runtime}`, 'update', {
    fields: ['staleSessions'],
    before: { oldestSession: new Date(observed.oldestSession).toISOString() },
    after: { sessionsStartedAfter: new Date(rotatedAt).toISOString() },
    detail: { op: 'end-sessions', role: runtime, startedBefore: rotatedAt },
  });
}

/** Grants to add (CONNECT, USAGE on its own schema, the runtime group) and foreign ones to revoke. */
function grantDiff(tenant: string, observed: PgTenantObserved): PgChange | undefined {
  const ownerName = names.pgOwnerRole(tenant);
  const runtimeName = names.pgRuntimeRole(tenant);
  const schemaName = names.pgSchema(tenant);
  const hasUsage = observed.schemaGrants.some((g) => g.grantee === runtimeName && g.privilege === 'USAGE');
  const extraSchemaGrants = observed.schemaGrants
    .filter((g) => g.grantee !== ownerName && !(g.grantee === runtimeName && g.privilege === 'USAGE'))
    .map((g) => ({ grantee: g.grantee, privilege: g.privilege }));
  const memberOf = observed.runtime?.memberOf ?? [];
  const extraMemberships = memberOf.filter((role) => role !== RUNTIME_GROUP);
  const fields: string[] = [];
  if (!observed.runtimeHasConnect) fields.push('connect');
  if (!hasUsage) fields.push('usage');
  if (observed.runtime && !memberOf.includes(RUNTIME_GROUP)) fields.push('group');
  if (!observed.runtime) fields.push('group');
  if (extraSchemaGrants.length > 0) fields.push('foreignGrants');
  if (extraMemberships.length > 0) fields.push('foreignMemberships');
  if (fields.length === 0) return undefined;
  return change(tenant, `grants/${runtimeName}`, 'update', {
    fields,
    before: { connect: observed.runtimeHasConnect, usage: hasUsage, memberOf, schemaGrants: observed.schemaGrants.map((g) => `${g.grantee}:${g.privilege}`) },
    after: { connect: true, usage: [schemaName], memberOf: [RUNTIME_GROUP] },
    detail: { op: 'grants', role: runtimeName, revokeSchemaGrants: extraSchemaGrants, revokeMemberships: extraMemberships },
  });
}

/** The deletion branch: Retain (or Delete before its grace period ends) revokes access; a purge drops everything. */
function offboard(input: DiffInput<PgTenantObserved>, observed: PgTenantObserved): PgChange[] {
  const { tenant } = input;
  const runtimeName = names.pgRuntimeRole(tenant);
  const purge = input.offboarding?.policy === 'Delete' && input.offboarding.purge;
  if (purge) {
    const changes: PgChange[] = [];
    const schema = names.pgSchema(tenant);
    const owner = names.pgOwnerRole(tenant);
    if (observed.schema) changes.push(change(tenant, `schema/${schema}`, 'delete', { destructive: true, before: { owner: observed.schema.owner }, detail: { op: 'drop-schema', schema, purgeSharedRows: true } }));
    if (observed.runtime) changes.push(change(tenant, `role/${runtimeName}`, 'delete', { destructive: true, before: pickFlags(observed.runtime), detail: { op: 'drop-role', role: runtimeName } }));
    if (observed.owner) changes.push(change(tenant, `role/${owner}`, 'delete', { destructive: true, before: { login: false }, detail: { op: 'drop-role', role: owner } }));
    if (!observed.schema && observed.placement === 'pool') {
      changes.push(change(tenant, `rows/${tenant}`, 'delete', { destructive: true, before: { isolation: 'pool', rows: 'every shared table' }, detail: { op: 'purge-pooled-rows' } }));
    }
    return changes;
  }
  if (!observed.runtime) return [];
  const fields: string[] = [];
  if (observed.runtime.login) fields.push('login');
  if (observed.runtimeHasConnect) fields.push('connect');
  if (observed.schemaGrants.some((g) => g.grantee === runtimeName)) fields.push('usage');
  if (observed.runtime.memberOf.length > 0) fields.push('group');
  if (fields.length === 0) return [];
  return [change(tenant, `role/${runtimeName}`, 'update', {
    fields,
    before: { login: observed.runtime.login, connect: observed.runtimeHasConnect, memberOf: observed.runtime.memberOf },
    after: { login: false, connect: false, memberOf: [] },
    detail: { op: 'revoke-access', memberOf: observed.runtime.memberOf },
  })];
}

/** Pure diff of the shared tables: ENABLE and FORCE row-level security, the isolation policy, the runtime group's grants. */
export function diffPlatform(observed: PgPlatformObserved): FleetChange<PgFleetDetail>[] {
  const schema = observed.runtimeGroupHasUsage ? [] : [fleetChange(`schema/${SHARED_SCHEMA}`, 'update', {
    fields: ['usage'], before: { usage: false }, after: { usage: [RUNTIME_GROUP] }, detail: { op: 'schema-usage' },
  })];
  return [...schema, ...observed.tables.flatMap((table) => {
    const fields: string[] = [];
    if (!table.rowSecurity) fields.push('rowSecurity');
    if (!table.forceRowSecurity) fields.push('forceRowSecurity');
    const policy = table.policy;
    const policyOk = policy !== undefined && policy.permissive && policy.command === 'ALL' &&
      policy.roles.length === 1 && policy.roles[0] === 'public' &&
      (observed.canonicalPolicy === undefined || (policy.using === observed.canonicalPolicy && (policy.check === null || policy.check === observed.canonicalPolicy)));
    if (!policyOk) fields.push('policy');
    if (!table.runtimeGroupHasDml) fields.push('grants');
    if (fields.length === 0) return [];
    return [fleetChange(`table/${SHARED_SCHEMA}.${table.name}`, 'update', {
      fields,
      before: { rowSecurity: table.rowSecurity, forceRowSecurity: table.forceRowSecurity, policy: policy?.using ?? null },
      after: { rowSecurity: true, forceRowSecurity: true, policy: `${ISOLATION_POLICY}: ${observed.canonicalPolicy ?? ISOLATION_EXPRESSION}` },
      detail: { op: 'table', table: table.name },
    })];
  })];
}

function flagDiff(role: PgRole, wanted: RoleFlags): string[] {
  return ROLE_FLAGS.filter((flag) => role[flag] !== wanted[flag]);
}

function pickFlags(role: PgRole): RoleFlags {
  return { login: role.login, superuser: role.superuser, bypassrls: role.bypassrls, createrole: role.createrole, createdb: role.createdb };
}
