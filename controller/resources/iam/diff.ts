import type { DesiredTenant } from '../../desired/types.js';
import { QUOTAS, type Change, type DiffInput } from '../../engine/types.js';
import type { CreateRoleInput, IamRole } from '../../providers/apis.js';
import { changeFactory, isManaged, missingTags, notOwnedMessage } from '../ownership.js';
import type { IamObserved } from './observe.js';
import { normalizePolicy, parsePolicy, samePolicy } from './policy.js';

export const IAM_KIND = 'iam';

/** What an IAM change asks apply to do. */
export type IamDetail =
  | { op: 'create-role'; role: CreateRoleInput; policy: string; document: string }
  | { op: 'update-role'; role: string; tags: Record<string, string>; trust?: string; boundary?: string }
  | { op: 'put-policy'; role: string; policy: string; document: string }
  | { op: 'revoke-policy' | 'delete-policy'; role: string; policy: string }
  | { op: 'delete-role'; role: string; policies: string[] };

const change = changeFactory<IamDetail>(IAM_KIND);

const roleResource = (role: string) => `role/${role}`;
const policyResource = (role: string, policy: string) => `role/${role}/policy/${policy}`;

/** Pure: one tenant's IAM changes. */
export function diffIam(input: DiffInput<IamObserved>): Change<IamDetail>[] {
  const { tenant, desired } = input;
  const role = input.observed?.role;
  if (desired?.isolation === 'pool') return role && isManaged(role.tags) ? [dropForPool(tenant, role)] : [];
  if (desired) return role ? converge(desired, role) : [create(desired)];
  if (!input.offboarding || !role) return [];
  if (!isManaged(role.tags)) return [conflict(tenant, role)];
  if (input.offboarding.policy === 'Delete' && input.offboarding.purge) {
    return [change(tenant, roleResource(role.name), 'delete', {
      destructive: true, quota: QUOTAS.iamRoles,
      before: { path: role.path, policies: Object.keys(role.inlinePolicies) },
      detail: { op: 'delete-role', role: role.name, policies: Object.keys(role.inlinePolicies) },
    })];
  }
  // Retain, or Delete during its grace period: revoke every grant, keep the role (and its ARN) for a comeback.
  return Object.entries(role.inlinePolicies).map(([policy, document]) =>
    change(tenant, policyResource(role.name, policy), 'update', {
      fields: ['policy'], before: parsePolicy(document), after: null,
      detail: { op: 'revoke-policy', role: role.name, policy },
    }));
}

/** A pooled tenant acts through the shared tenant-access role: a role of its own (from its silo days) goes. */
function dropForPool(tenant: string, role: IamRole): Change<IamDetail> {
  return change(tenant, roleResource(role.name), 'delete', {
    before: { path: role.path, policies: Object.keys(role.inlinePolicies) },
    after: { isolation: 'pool', role: 'the shared tenant-access role, per run' },
    detail: { op: 'delete-role', role: role.name, policies: Object.keys(role.inlinePolicies) },
  });
}

function create(desired: DesiredTenant): Change<IamDetail> {
  const { iam } = desired;
  return change(desired.name, roleResource(iam.roleName), 'create', {
    quota: QUOTAS.iamRoles,
    after: { path: iam.path, permissionsBoundaryArn: iam.permissionsBoundaryArn, tags: desired.tags, policy: iam.inlinePolicy },
    detail: {
      op: 'create-role',
      role: {
        name: iam.roleName,
        path: iam.path,
        assumeRolePolicy: JSON.stringify(iam.assumeRolePolicy),
        permissionsBoundaryArn: iam.permissionsBoundaryArn,
        tags: desired.tags,
        description: `OpenClaw tenant ${desired.name}: access to its own S3 prefix and secrets`,
      },
      policy: iam.inlinePolicyName,
      document: JSON.stringify(iam.inlinePolicy),
    },
  });
}

function conflict(tenant: string, role: IamRole): Change<IamDetail> {
  return change(tenant, roleResource(role.name), 'noop', { conflict: notOwnedMessage(`IAM role ${role.name} (path ${role.path})`) });
}

function converge(desired: DesiredTenant, role: IamRole): Change<IamDetail>[] {
  const { iam } = desired;
  const tenant = desired.name;
  if (!isManaged(role.tags)) return [conflict(tenant, role)];
  if (role.path !== iam.path) {
    return [change(tenant, roleResource(role.name), 'noop', {
      conflict: `IAM role ${role.name} is managed by the controller but sits at path ${role.path}, not ${iam.path}; IAM cannot move a role, so it is left untouched (delete it to have it recreated)`,
    })];
  }
  const changes: Change<IamDetail>[] = [];
  const fields: string[] = [];
  const trust = !samePolicy(role.assumeRolePolicy, iam.assumeRolePolicy);
  const boundary = iam.permissionsBoundaryArn !== undefined && role.permissionsBoundaryArn !== iam.permissionsBoundaryArn;
  const tags = missingTags(desired.tags, role.tags);
  if (trust) fields.push('trust');
  if (boundary) fields.push('boundary');
  if (Object.keys(tags).length > 0) fields.push('tags');
  if (fields.length > 0) {
    changes.push(change(tenant, roleResource(role.name), 'update', {
      fields,
      before: { trust: trust ? normalizePolicy(role.assumeRolePolicy) : undefined, permissionsBoundaryArn: role.permissionsBoundaryArn, tags: pick(role.tags, Object.keys(tags)) },
      after: { trust: trust ? iam.assumeRolePolicy : undefined, permissionsBoundaryArn: iam.permissionsBoundaryArn, tags },
      detail: {
        op: 'update-role', role: role.name, tags,
        ...(trust ? { trust: JSON.stringify(iam.assumeRolePolicy) } : {}),
        ...(boundary ? { boundary: iam.permissionsBoundaryArn } : {}),
      },
    }));
  }
  const current = role.inlinePolicies[iam.inlinePolicyName];
  if (current === undefined || !samePolicy(current, iam.inlinePolicy)) {
    changes.push(change(tenant, policyResource(role.name, iam.inlinePolicyName), current === undefined ? 'create' : 'update', {
      fields: ['policy'], before: current === undefined ? null : parsePolicy(current), after: iam.inlinePolicy,
      detail: { op: 'put-policy', role: role.name, policy: iam.inlinePolicyName, document: JSON.stringify(iam.inlinePolicy) },
    }));
  }
  // Inline policies the controller did not write grant access it did not decide: removed.
  for (const [policy, document] of Object.entries(role.inlinePolicies)) {
    if (policy === iam.inlinePolicyName) continue;
    changes.push(change(tenant, policyResource(role.name, policy), 'delete', {
      fields: ['policy'], before: parsePolicy(document), after: null,
      detail: { op: 'delete-policy', role: role.name, policy },
    }));
  }
  return changes;
}

function pick(tags: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => k in tags).map((k) => [k, tags[k]]));
}
