import { POOL_LOGIN } from '../../../contract/agent-env.js';
import type { Isolation } from '../../../contract/catalog.js';
/** What the postgres module observes, in plain data (diff is pure over these). */
export interface PgRole {
  name: string;
  login: boolean;
  superuser: boolean;
  bypassrls: boolean;
  createrole: boolean;
  createdb: boolean;
  comment: string | null;
  /** Roles this role is a member of. */
  memberOf: string[];
  /** CONNECTION LIMIT (-1: none). */
  connectionLimit?: number;
  /** The role's `statement_timeout=…` setting, if any. */
  statementTimeout?: string | null;
}

export interface PgGrant {
  /** The schema (or database) the privilege is on. */
  on: string;
  grantee: string;
  privilege: string;
}

export interface PgTenantObserved {
  schema?: { name: string; owner: string };
  owner?: PgRole;
  runtime?: PgRole;
  /** Privileges on this tenant's schema, for every grantee. */
  schemaGrants: readonly PgGrant[];
  /** Privileges the runtime role holds on other schemas (another tenant's, most of all). */
  runtimeForeignGrants: readonly PgGrant[];
  runtimeHasConnect: boolean;
  migrationVersion: number;
  /** Fingerprint of the credentials in the tenant's db secret, if any. */
  storedFingerprint?: string;
  /** Start (epoch ms, the server's clock) of the runtime role's oldest open session, if any. */
  oldestSession?: number;
  /** The server's clock when observed (epoch ms): when a rotation's grace is over. */
  observedAt?: number;
  /** Where the tenant's private rows live as last moved (openclaw.tenant_placements); unset: its schema if it has one. */
  placement?: Isolation;
}

export interface PgSharedTable {
  name: string;
  rowSecurity: boolean;
  forceRowSecurity: boolean;
  /** The isolation policy's USING and WITH CHECK expressions as PostgreSQL deparses them, if the policy exists. */
  policy?: { using: string | null; check: string | null; permissive: boolean; command: string; roles: string[] };
  runtimeGroupHasDml: boolean;
}

export interface PgPlatformObserved {
  tables: PgSharedTable[];
  /** The runtime group may use the shared schema. */
  runtimeGroupHasUsage: boolean;
  /** The isolation policy expression as this server deparses it: what a correct policy reads like (unknown to a read-only plan that finds none recorded). */
  canonicalPolicy?: string;
}

/** What a change to a tenant's PostgreSQL resources asks apply (or delete) to do. */
export type PgDetail =
  | { op: 'owner-role'; role: string }
  | { op: 'runtime-role'; role: string }
  /** Sessions opened with a password the role no longer has, once the rotation's grace is over. */
  | { op: 'end-sessions'; role: string; startedBefore: number }
  /** The runtime role's CONNECTION LIMIT and statement_timeout (the tenant's limits). */
  | { op: 'limits'; role: string; connectionLimit: number; statementTimeoutMs: number }
  | { op: 'revoke-access'; memberOf: string[] }
  | { op: 'schema'; schema: string }
  | { op: 'grants'; role: string; revokeSchemaGrants: { grantee: string; privilege: string }[]; revokeMemberships: string[] }
  | { op: 'migrations'; from: number }
  | { op: 'drop-schema'; schema: string; purgeSharedRows: boolean }
  /** A tier change: the schema's rows into the shared tables, the schema dropped (silo → pool), or back (pool → silo). */
  | { op: 'move-out' | 'move-in'; schema: string }
  /** Records a new pooled tenant's placement: its rows are in the shared tables. */
  | { op: 'placement' }
  /** Erases a pooled tenant's rows in the shared tables (a purge: it has no schema to drop). */
  | { op: 'purge-pooled-rows' }
  | { op: 'drop-role'; role: string };

/** What a change to the shared tables asks apply to do. */
export type PgFleetDetail = { op: 'schema-usage' } | { op: 'table'; table: string };

export const SHARED_SCHEMA = 'app';
export const RUNTIME_GROUP = 'openclaw_runtime';
export const ISOLATION_POLICY = 'tenant_isolation';
export const TENANT_SETTING = 'app.tenant_id';
export const ROLE_COMMENT_PREFIX = 'openclaw:managed';

/** The shared login of pooled runs (platform migration 30): each session bound to one tenant. */
export const POOL_ROLE = POOL_LOGIN;

/**
 * The isolation predicate, one branch per isolation model. Silo: the session setting fails closed
 * when missing (NULLIF → NULL), and the role clause binds each row to its tenant's runtime role, so
 * a runtime role that sets another tenant's id still sees nothing. Pool: the shared login sees the
 * rows of the tenant its session was bound to (`app.pool_tenant()`, NULL when unbound), which the
 * session itself cannot change; the setting plays no part.
 */
export const ISOLATION_EXPRESSION =
  `((tenant_id = NULLIF(current_setting('${TENANT_SETTING}', true), '') ` +
  `AND CURRENT_USER = ('tenant_' || replace(tenant_id, '-', '_') || '_runtime')) ` +
  `OR (CURRENT_USER = '${POOL_ROLE}' AND tenant_id = (SELECT ${SHARED_SCHEMA}.pool_tenant())))`;

/** `rotatedAt`: when the role got this password (epoch ms, the server's clock); older sessions used the previous one. */
export function roleComment(tenant: string, fingerprint?: string, rotatedAt?: number): string {
  return `${ROLE_COMMENT_PREFIX} tenant=${tenant}${fingerprint ? ` credential=${fingerprint}` : ''}${rotatedAt !== undefined ? ` rotated=${rotatedAt}` : ''}`;
}

export function parseRoleComment(comment: string | null): { managed: boolean; tenant?: string; fingerprint?: string; rotatedAt?: number } {
  if (!comment?.startsWith(ROLE_COMMENT_PREFIX)) return { managed: false };
  const rotated = /rotated=(\d+)/.exec(comment)?.[1];
  return {
    managed: true,
    tenant: /tenant=([a-z0-9-]+)/.exec(comment)?.[1],
    fingerprint: /credential=([0-9a-f]+)/.exec(comment)?.[1],
    ...(rotated ? { rotatedAt: Number(rotated) } : {}),
  };
}
