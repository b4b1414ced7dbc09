// IAM operations over IamState, with IAM's names, limits and pagination (Marker/MaxItems/IsTruncated).
import type * as I from '@aws-sdk/client-iam';
import type { Out, ServiceHandlers } from './core.js';
import type { Env } from './options.js';
import { fail } from './errors.js';
import { INLINE_POLICY_QUOTA, checkTrustPolicy, policySize, renderPolicy, validatePolicy } from './iam-policy.js';
import { IamState, roleDetail, roleView } from './iam-state.js';
import { MAX_TAGS, checkName, checkPath, checkTags, tagQuota, validationError } from './iam-validate.js';
import { ids, pageSize, paginate } from './paging.js';
import { dropTags, mergeTags } from './tags.js';

export function iamHandlers(state: IamState, env: Env): ServiceHandlers {
  const page = <T>(items: T[], key: (t: T) => string, input: { Marker?: string; MaxItems?: number }) => {
    const max = pageSize(input.MaxItems, 100, 1, 1000, () =>
      validationError(input.MaxItems, 'maxItems', 'Member must have value between 1 and 1000'),
    );
    const p = paginate(items, key, input.Marker, max, () => fail('InvalidInput', 'Invalid Marker.'));
    return { items: p.items, IsTruncated: p.next !== undefined, Marker: p.next };
  };
  const roleKey = (r: { RoleName: string }) => r.RoleName.toLowerCase();

  return {
    CreateRole(input: I.CreateRoleCommandInput): Out<I.CreateRoleCommandOutput> {
      checkName(input.RoleName, 'roleName', 64);
      const path = input.Path ?? '/';
      checkPath(path, 'path');
      if ((input.Description ?? '').length > 1000) {
        validationError(input.Description, 'description', 'Member must have length less than or equal to 1000');
      }
      const maxSession = input.MaxSessionDuration ?? 3600;
      if (maxSession < 3600 || maxSession > 43200) {
        validationError(maxSession, 'maxSessionDuration', 'Member must have value between 3600 and 43200');
      }
      checkTrustPolicy(input.AssumeRolePolicyDocument);
      state.checkBoundary(input.PermissionsBoundary);
      const tags = checkTags(input.Tags ?? []);
      const name = input.RoleName!;
      if (state.role(name)) fail('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
      const quota = env.options.iamMaxRoles;
      if (state.liveCount() >= quota) fail('LimitExceeded', `Cannot exceed quota for RolesPerAccount: ${quota}`, 409);
      const now = env.now();
      const role = {
        RoleName: name,
        RoleId: ids.iam(env.random, 'AROA'),
        Arn: `arn:aws:iam::${env.options.accountId}:role${path}${name}`,
        Path: path,
        CreateDate: new Date(now),
        AssumeRolePolicyDocument: input.AssumeRolePolicyDocument!,
        Description: input.Description,
        MaxSessionDuration: maxSession,
        PermissionsBoundaryArn: input.PermissionsBoundary,
        Tags: tags,
        policies: new Map<string, string>(),
        visibleAt: now + env.options.eventualConsistencyMs,
      };
      state.roles.set(name.toLowerCase(), role);
      return { Role: roleView(role) };
    },
    GetAccountSummary(): Out<I.GetAccountSummaryCommandOutput> {
      // The keys IAM answers with; the double models roles, so only Roles moves.
      return {
        SummaryMap: {
          Users: 0, UsersQuota: 5000, Groups: 0, GroupsQuota: 300, ServerCertificates: 0, ServerCertificatesQuota: 20,
          UserPolicySizeQuota: 2048, GroupPolicySizeQuota: 5120, GroupsPerUserQuota: 10, SigningCertificatesPerUserQuota: 2,
          AccessKeysPerUserQuota: 2, MFADevices: 0, MFADevicesInUse: 0, AccountMFAEnabled: 0, AccountAccessKeysPresent: 0,
          AccountPasswordPresent: 0, AccountSigningCertificatesPresent: 0, AttachedPoliciesPerGroupQuota: 10,
          AttachedPoliciesPerRoleQuota: 10, AttachedPoliciesPerUserQuota: 10, Policies: 0, PoliciesQuota: 1500,
          PolicySizeQuota: 6144, PolicyVersionsInUse: 0, PolicyVersionsInUseQuota: 10000, VersionsPerPolicyQuota: 5,
          GlobalEndpointTokenVersion: 1, AssumeRolePolicySizeQuota: 2048, InstanceProfiles: 0, InstanceProfilesQuota: 1000,
          Providers: 0, RolePolicySizeQuota: INLINE_POLICY_QUOTA, Roles: state.liveCount(), RolesQuota: env.options.iamMaxRoles,
        },
      };
    },
    GetRole: (input: I.GetRoleCommandInput): Out<I.GetRoleCommandOutput> => ({ Role: roleView(state.forRead(input.RoleName)) }),
    UpdateRole(input: I.UpdateRoleCommandInput): Out<I.UpdateRoleCommandOutput> {
      const role = state.forWrite(input.RoleName);
      if (input.Description !== undefined) role.Description = input.Description;
      if (input.MaxSessionDuration !== undefined) role.MaxSessionDuration = input.MaxSessionDuration;
      return {};
    },
    DeleteRole(input: I.DeleteRoleCommandInput): Out<I.DeleteRoleCommandOutput> {
      const role = state.forWrite(input.RoleName);
      if (role.policies.size > 0) fail('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      role.deletedAt = env.now();
      return {};
    },
    ListRoles(input: I.ListRolesCommandInput): Out<I.ListRolesCommandOutput> {
      const prefix = input.PathPrefix ?? '/';
      if (!prefix.startsWith('/')) validationError(prefix, 'pathPrefix', 'Member must satisfy regular expression pattern');
      const roles = state.listable().filter((r) => r.Path.startsWith(prefix));
      const { items, ...rest } = page(roles, roleKey, input);
      return { Roles: items.map((r) => roleView(r, true)), ...rest };
    },
    GetAccountAuthorizationDetails(
      input: I.GetAccountAuthorizationDetailsCommandInput,
    ): Out<I.GetAccountAuthorizationDetailsCommandOutput> {
      const roles = !input.Filter || input.Filter.includes('Role') ? state.listable() : [];
      const { items, ...rest } = page(roles, roleKey, input);
      return { UserDetailList: [], GroupDetailList: [], RoleDetailList: items.map(roleDetail), Policies: [], ...rest };
    },
    PutRolePolicy(input: I.PutRolePolicyCommandInput): Out<I.PutRolePolicyCommandOutput> {
      checkName(input.PolicyName, 'policyName', 128);
      const role = state.forWrite(input.RoleName);
      validatePolicy(input.PolicyDocument, 'identity');
      let total = policySize(input.PolicyDocument!);
      for (const [name, doc] of role.policies) if (name !== input.PolicyName) total += policySize(doc);
      if (total > INLINE_POLICY_QUOTA) {
        fail('LimitExceeded', `Maximum policy size of ${INLINE_POLICY_QUOTA} bytes exceeded for role ${role.RoleName}`, 409);
      }
      role.policies.set(input.PolicyName!, input.PolicyDocument!);
      return {};
    },
    GetRolePolicy(input: I.GetRolePolicyCommandInput): Out<I.GetRolePolicyCommandOutput> {
      const role = state.forRead(input.RoleName);
      const doc = role.policies.get(String(input.PolicyName)) ?? policyNotFound(input.PolicyName);
      return { RoleName: role.RoleName, PolicyName: input.PolicyName, PolicyDocument: renderPolicy(doc) };
    },
    DeleteRolePolicy(input: I.DeleteRolePolicyCommandInput): Out<I.DeleteRolePolicyCommandOutput> {
      const role = state.forWrite(input.RoleName);
      if (!role.policies.delete(String(input.PolicyName))) policyNotFound(input.PolicyName);
      return {};
    },
    ListRolePolicies(input: I.ListRolePoliciesCommandInput): Out<I.ListRolePoliciesCommandOutput> {
      const names = [...state.forRead(input.RoleName).policies.keys()].sort();
      const { items, ...rest } = page(names, (n) => n, input);
      return { PolicyNames: items, ...rest };
    },
    TagRole(input: I.TagRoleCommandInput): Out<I.TagRoleCommandOutput> {
      const role = state.forWrite(input.RoleName);
      role.Tags = mergeTags(role.Tags, checkTags(input.Tags ?? []), MAX_TAGS, tagQuota, lower);
      return {};
    },
    UntagRole(input: I.UntagRoleCommandInput): Out<I.UntagRoleCommandOutput> {
      const role = state.forWrite(input.RoleName);
      role.Tags = dropTags(role.Tags, input.TagKeys, lower);
      return {};
    },
    ListRoleTags(input: I.ListRoleTagsCommandInput): Out<I.ListRoleTagsCommandOutput> {
      const tags = [...state.forRead(input.RoleName).Tags].sort((a, b) => (a.Key < b.Key ? -1 : 1));
      const { items, ...rest } = page(tags, (t) => t.Key, input);
      return { Tags: items.map((t) => ({ ...t })), ...rest };
    },
    UpdateAssumeRolePolicy(input: I.UpdateAssumeRolePolicyCommandInput): Out<I.UpdateAssumeRolePolicyCommandOutput> {
      const role = state.forWrite(input.RoleName);
      checkTrustPolicy(input.PolicyDocument);
      role.AssumeRolePolicyDocument = input.PolicyDocument!;
      return {};
    },
    PutRolePermissionsBoundary(input: I.PutRolePermissionsBoundaryCommandInput): Out<I.PutRolePermissionsBoundaryCommandOutput> {
      const role = state.forWrite(input.RoleName);
      if (!input.PermissionsBoundary) validationError(input.PermissionsBoundary, 'permissionsBoundary', 'Member must not be null');
      state.checkBoundary(input.PermissionsBoundary);
      role.PermissionsBoundaryArn = input.PermissionsBoundary;
      return {};
    },
    DeleteRolePermissionsBoundary(input: I.DeleteRolePermissionsBoundaryCommandInput): Out<I.DeleteRolePermissionsBoundaryCommandOutput> {
      state.forWrite(input.RoleName).PermissionsBoundaryArn = undefined;
      return {};
    },
  };
}

const lower = (key: string) => key.toLowerCase();

function policyNotFound(name: string | undefined): never {
  fail('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
}
