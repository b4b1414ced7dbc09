import {
  CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, GetAccountAuthorizationDetailsCommand, GetRoleCommand,
  GetRolePolicyCommand, ListRolePoliciesCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, TagRoleCommand,
  UntagRoleCommand, UpdateAssumeRolePolicyCommand,
  type GetAccountAuthorizationDetailsCommandOutput, type GetRoleCommandOutput, type GetRolePolicyCommandOutput,
  type IAMClient, type ListRolePoliciesCommandOutput, type RoleDetail,
} from '@aws-sdk/client-iam';
import { TransientError } from '../../../contract/errors.js';
import type { IamApi, IamRole } from '../apis.js';
import type { AwsCaller } from './caller.js';
import { isNotFound } from './errors.js';
import { safeDecode } from '../../text.js';

/** IAM hands policy documents back URL-encoded. */
export function decodePolicy(text: string | undefined): string {
  return text ? safeDecode(text) : '';
}

/** `attached`: the detail lists the attached managed policies (GetAccountAuthorizationDetails does, GetRole does not). */
export function roleFromDetail(detail: RoleDetail, attached = true): IamRole {
  return {
    name: detail.RoleName!,
    path: detail.Path ?? '/',
    arn: detail.Arn!,
    assumeRolePolicy: decodePolicy(detail.AssumeRolePolicyDocument),
    inlinePolicies: Object.fromEntries((detail.RolePolicyList ?? []).map((p) => [p.PolicyName!, decodePolicy(p.PolicyDocument)])),
    tags: Object.fromEntries((detail.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
    ...(detail.PermissionsBoundary?.PermissionsBoundaryArn ? { permissionsBoundaryArn: detail.PermissionsBoundary.PermissionsBoundaryArn } : {}),
    ...(attached ? { attachedPolicyArns: (detail.AttachedManagedPolicies ?? []).map((p) => p.PolicyArn!).filter(Boolean) } : {}),
  };
}

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export function awsIam(client: IAMClient, caller: AwsCaller): IamApi {
  const send = caller.bind('iam', client);

  /** A write on a role that is not visible yet (IAM is eventually consistent): retry later. */
  async function write(roleName: string, sent: Promise<unknown>): Promise<void> {
    try {
      await sent;
    } catch (error) {
      if (isNotFound(error)) throw new TransientError(`role ${roleName} is not visible yet (IAM is eventually consistent)`, error);
      throw error;
    }
  }

  async function gone(sent: Promise<unknown>): Promise<void> {
    try {
      await sent;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  return {
    async listRoles(pathPrefix) {
      const roles: IamRole[] = [];
      let marker: string | undefined;
      do {
        const page = await send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000, Marker: marker }));
        for (const detail of page.RoleDetailList ?? []) if ((detail.Path ?? '/').startsWith(pathPrefix)) roles.push(roleFromDetail(detail));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return roles;
    },
    async getRole(roleName) {
      const got = await send(new GetRoleCommand({ RoleName: roleName })).catch((error) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (!got?.Role) return undefined;
      const policyNames: string[] = [];
      let marker: string | undefined;
      do {
        const page = await send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
        policyNames.push(...(page.PolicyNames ?? []));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      const documents = await Promise.all(policyNames.map((policy) =>
        send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policy }))));
      const { Role: role } = got;
      return roleFromDetail({
        RoleName: role.RoleName, Path: role.Path, Arn: role.Arn, AssumeRolePolicyDocument: role.AssumeRolePolicyDocument,
        PermissionsBoundary: role.PermissionsBoundary, Tags: role.Tags,
        RolePolicyList: documents.map((d, i) => ({ PolicyName: policyNames[i], PolicyDocument: d.PolicyDocument })),
      }, false);
    },
    async createRole(input) {
      const output = await send(new CreateRoleCommand({
        RoleName: input.name,
        Path: input.path,
        AssumeRolePolicyDocument: input.assumeRolePolicy,
        PermissionsBoundary: input.permissionsBoundaryArn,
        Description: input.description,
        Tags: toTags(input.tags),
      }));
      return { arn: output.Role?.Arn ?? '' };
    },
    updateAssumeRolePolicy: (roleName, document) => write(roleName, send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: document }))),
    putRolePolicy: (roleName, policyName, document) => write(roleName, send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document }))),
    deleteRolePolicy: (roleName, policyName) => gone(send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))),
    tagRole: (roleName, tags) => write(roleName, send(new TagRoleCommand({ RoleName: roleName, Tags: toTags(tags) }))),
    untagRole: (roleName, keys) => write(roleName, send(new UntagRoleCommand({ RoleName: roleName, TagKeys: keys }))),
    putPermissionsBoundary: (roleName, arn) => write(roleName, send(new PutRolePermissionsBoundaryCommand({ RoleName: roleName, PermissionsBoundary: arn }))),
    deleteRole: (roleName) => gone(send(new DeleteRoleCommand({ RoleName: roleName }))),
  };
}
