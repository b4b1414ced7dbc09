import { agentsInTier, defaultIsolation } from '../../contract/catalog.js';
import { ANNOTATIONS } from '../manifests/semantic.js';
import type { AgentSpec, TenantManifest, TenantSpec } from '../manifests/types.js';
import { tenantLimits } from '../usage/limits.js';
import { names } from '../../contract/names.js';
import { tenantRolePolicy, ecsTasksTrustPolicy, pooledTenantPolicy } from './policy.js';
import type { DesiredContext, DesiredTenant, PolicyDocument } from './types.js';

export const MANAGED_BY_TAG = 'openclaw:managed-by';
export const MANAGED_BY_VALUE = 'openclaw-tenant-controller';
export const TENANT_TAG = 'openclaw:tenant';
export const TIER_TAG = 'openclaw:tier';

/**
 * A manifest that does not name its isolation keeps the model its tenant has when its last applied
 * manifest did not name one either and its tier is the same: the tier's default applies to a new tenant
 * (or one purged), on a tier change, and when a manifest stops naming its model. So neither an upgrade of
 * the controller (a tenant recorded before isolation models is a silo) nor a new default moves existing
 * tenants and their data between models; a manifest says `isolation` to move one.
 */
export function withRecordedIsolation(desired: DesiredTenant, manifest: TenantManifest, recorded: RecordedTenant | undefined, ctx: DesiredContext): DesiredTenant {
  if (manifest.spec.isolation !== undefined || !recorded || recorded.lifecycle === 'Purged') return desired;
  if (recorded.manifestIsolation !== null || recorded.tier !== desired.tier || recorded.isolation === desired.isolation) return desired;
  return desiredTenant(withModel(manifest, recorded.isolation), ctx);
}

const withModel = (manifest: TenantManifest, isolation: DesiredTenant['isolation']): TenantManifest => ({ ...manifest, spec: { ...manifest.spec, isolation } });

/** desiredTenant with `isolation` as its model, whatever the manifest names (the same state when it names that one). */
export function desiredTenantAs(manifest: TenantManifest, isolation: DesiredTenant['isolation'], ctx: DesiredContext): DesiredTenant {
  const desired = desiredTenant(manifest, ctx);
  return desired.isolation === isolation ? desired : desiredTenant(withModel(manifest, isolation), ctx);
}

/** What the controller's records say of a tenant: the model its last applied manifest named (null: none), its recorded tier and model. */
export interface RecordedTenant {
  manifestIsolation: DesiredTenant['isolation'] | null;
  tier: DesiredTenant['tier'];
  isolation: DesiredTenant['isolation'];
  lifecycle: string;
}

/** The documents every tenant of a context shares, made once per context: the same objects in every desired state (never modified). */
const sharedDocuments = new WeakMap<DesiredContext, { trust: PolicyDocument; pooled: PolicyDocument }>();

function sharedOf(ctx: DesiredContext): { trust: PolicyDocument; pooled: PolicyDocument } {
  let shared = sharedDocuments.get(ctx);
  if (!shared) sharedDocuments.set(ctx, (shared = { trust: ecsTasksTrustPolicy(), pooled: pooledTenantPolicy(ctx) }));
  return shared;
}

/** Pure: a validated manifest and the controller's context → what the tenant should have. */
export function desiredTenant(manifest: TenantManifest, ctx: DesiredContext): DesiredTenant {
  const name = manifest.metadata.name;
  const spec = manifest.spec;
  const roleName = names.iamRole(name);
  const isolation = spec.isolation ?? defaultIsolation(spec.tier);
  const shared = sharedOf(ctx);
  return {
    name,
    displayName: spec.displayName,
    tier: spec.tier,
    isolation,
    suspended: spec.suspended,
    paused: manifest.metadata.annotations?.[ANNOTATIONS.paused] === 'true',
    deletionPolicy: spec.deletionPolicy,
    tags: {
      ...spec.costAllocationTags,
      [TENANT_TAG]: name,
      [TIER_TAG]: spec.tier,
      [MANAGED_BY_TAG]: MANAGED_BY_VALUE,
    },
    postgres: {
      schema: names.pgSchema(name),
      ownerRole: names.pgOwnerRole(name),
      runtimeRole: names.pgRuntimeRole(name),
    },
    iam: {
      roleName,
      path: ctx.iamPath,
      arn: `arn:${ctx.partition}:iam::${ctx.accountId}:role${ctx.iamPath}${roleName}`,
      assumeRolePolicy: shared.trust,
      inlinePolicyName: 'openclaw-tenant-access',
      // A pooled tenant has no role of its own: its runs act through the shared tenant-access role, whose
      // one policy is every pooled tenant's (derived once, not a kilobyte a tenant).
      inlinePolicy: isolation === 'pool' ? shared.pooled : tenantRolePolicy(name, ctx),
      permissionsBoundaryArn: ctx.permissionsBoundaryArn,
    },
    s3: {
      bucket: ctx.bucket,
      prefix: names.s3Prefix(name),
      markerKey: names.s3Marker(name),
      archiveAfterDays: spec.storage.archiveAfterDays,
      expireAfterDays: spec.storage.expireAfterDays,
    },
    secrets: tenantSecrets(manifest, isolation, ctx),
    agents: spec.agents.map((agent) => ({
      name: agent.name,
      schedule: agent.schedule,
      timezone: agent.timezone,
      concurrencyPolicy: agent.concurrencyPolicy,
      startingDeadlineSeconds: agent.startingDeadlineSeconds,
      // Only butler sends email: the digest goes to the contact and the agent's own recipients.
      recipients: agent.name === 'butler' ? [spec.contact.email, ...(agent.recipients ?? [])] : [],
      active: agentActive(spec, agent),
    })),
    limits: tenantLimits(spec.tier, spec.limits),
  };
}

/** Whether an agent runs: enabled, in the tenant's tier, the tenant not suspended. */
export function agentActive(spec: Pick<TenantSpec, 'tier' | 'suspended'>, agent: Pick<AgentSpec, 'name' | 'enabled'>): boolean {
  return agent.enabled && !spec.suspended && agentsInTier(spec.tier).includes(agent.name);
}

/** The names of a tenant's secrets under `isolation`. */
export function tenantSecrets(manifest: TenantManifest, isolation: DesiredTenant['isolation'], ctx: Pick<DesiredContext, 'secretsPrefix'>): DesiredTenant['secrets'] {
  const name = manifest.metadata.name;
  return {
    db: { name: names.dbSecret(ctx.secretsPrefix, name) },
    // A pooled tenant's integrations all live in its one secret.
    integrations: manifest.spec.integrations.map((i) => ({
      provider: i.provider, name: isolation === 'pool' ? names.pooledSecret(ctx.secretsPrefix, name) : names.integrationSecret(ctx.secretsPrefix, name, i.provider),
    })),
  };
}
