// Desired tenants for the unit tests of the AWS resource modules, without reading any file: silo
// tenants unless a test asks for `isolation: 'pool'`.
import { desiredTenant } from '../../controller/desired/tenant.js';
import type { DesiredContext, DesiredTenant } from '../../controller/desired/types.js';
import type { TenantManifest, TenantSpec } from '../../controller/manifests/types.js';
import type { IamRole } from '../../controller/providers/apis.js';

export const CTX: DesiredContext = {
  accountId: '123456789012', partition: 'aws', region: 'eu-west-1', bucket: 'openclaw-tenants',
  iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw', permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
};

export function tenant(name: string, spec: Partial<TenantSpec> = {}): DesiredTenant {
  const manifest: TenantManifest = {
    apiVersion: 'openclaw.io/v1alpha1', kind: 'Tenant', metadata: { name },
    spec: {
      displayName: name, contact: { email: `ops@${name}.example` }, tier: 'starter', isolation: 'silo', suspended: false, deletionPolicy: 'Retain',
      agents: [], integrations: [{ provider: 'google' }], storage: { archiveAfterDays: 30, expireAfterDays: 365 },
      costAllocationTags: { 'cost-center': 'smb' }, ...spec,
    },
  };
  return desiredTenant(manifest, CTX);
}

/** The role as the controller would have created it for `desired`, as a provider lists it. */
export function roleFor(desired: DesiredTenant, overrides: Partial<IamRole> = {}): IamRole {
  return {
    name: desired.iam.roleName, path: desired.iam.path, arn: desired.iam.arn,
    assumeRolePolicy: JSON.stringify(desired.iam.assumeRolePolicy),
    inlinePolicies: { [desired.iam.inlinePolicyName]: encodeURIComponent(JSON.stringify(desired.iam.inlinePolicy)) },
    tags: { ...desired.tags, 'aws:cloudformation:stack': 'unrelated' },
    permissionsBoundaryArn: desired.iam.permissionsBoundaryArn, attachedPolicyArns: [], ...overrides,
  };
}
