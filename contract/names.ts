/**
 * Every name derived from a tenant name, in one place. The derivations are
 * deterministic and documented in docs/ARCHITECTURE.md ("Derived names").
 *
 * A tenant name is a DNS-1123 label of at most MAX_TENANT_NAME_LENGTH characters.
 * The binding limits are PostgreSQL identifiers (63 bytes) and IAM role names (64):
 *   tenant_<name>_runtime    7 + 40 + 8 = 55 bytes  (63 allowed)
 *   openclaw-tenant-<name>  16 + 40     = 56 chars  (64 allowed)
 * leaving 8 characters of headroom for a future suffix without renaming anyone.
 */
export const MAX_TENANT_NAME_LENGTH = 40;
export const TENANT_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const PG_IDENTIFIER_MAX_BYTES = 63;
export const IAM_ROLE_NAME_MAX = 64;

/** Hyphens are legal in DNS labels but not in unquoted SQL identifiers; underscores never occur in a label, so the mapping is one to one. */
function sqlStem(tenant: string): string {
  return tenant.replaceAll('-', '_');
}

/** Where every tenant's secrets live: the one place the `…/tenants/` path is spelled. */
export const secretsRoot = (prefix: string) => `${prefix}/tenants/`;

export const names = {
  pgSchema: (tenant: string) => `tenant_${sqlStem(tenant)}`,
  pgOwnerRole: (tenant: string) => `tenant_${sqlStem(tenant)}_owner`,
  pgRuntimeRole: (tenant: string) => `tenant_${sqlStem(tenant)}_runtime`,
  iamRole: (tenant: string) => `openclaw-tenant-${tenant}`,
  s3Prefix: (tenant: string) => `tenants/${tenant}/`,
  s3Marker: (tenant: string) => `tenants/${tenant}/.openclaw-tenant`,
  secretsPath: (prefix: string, tenant: string) => `${secretsRoot(prefix)}${tenant}/`,
  dbSecret: (prefix: string, tenant: string) => `${names.secretsPath(prefix, tenant)}db`,
  integrationSecret: (prefix: string, tenant: string, provider: string) => `${names.secretsPath(prefix, tenant)}integrations/${provider}`,
  /** A pooled tenant's one secret: every integration it connected, in one JSON document. */
  pooledSecret: (prefix: string, tenant: string) => `${names.secretsPath(prefix, tenant)}integrations`,
  ecsStartedBy: (tenant: string, agent: string) => `openclaw/${tenant}/${agent}`,
} as const;
