import { ControllerError, TransientError } from '../../errors.js';
import type { Change } from '../../engine/types.js';
import type { CreateRoleInput, IamApi } from '../../providers/apis.js';
import { opOf } from '../ownership.js';

interface IamDetail {
  role: string | CreateRoleInput;
  policy?: string;
  document?: string;
  policies?: string[];
  trust?: string;
  boundary?: string;
  tags?: Record<string, string>;
}

/** Executes one IAM change (apply and delete alike: the change says what to do). */
export async function executeIam(iam: IamApi, change: Change): Promise<void> {
  const detail = change.detail as unknown as IamDetail;
  const roleName = typeof detail.role === 'string' ? detail.role : detail.role.name;
  switch (opOf(change)) {
    case 'create-role': {
      await createRole(iam, detail.role as CreateRoleInput);
      await iam.putRolePolicy(roleName, detail.policy!, detail.document!);
      return;
    }
    case 'update-role': {
      if (detail.trust) await iam.updateAssumeRolePolicy(roleName, detail.trust);
      if (detail.boundary) await iam.putPermissionsBoundary(roleName, detail.boundary);
      if (detail.tags && Object.keys(detail.tags).length > 0) await iam.tagRole(roleName, detail.tags);
      return;
    }
    case 'put-policy':
      return iam.putRolePolicy(roleName, detail.policy!, detail.document!);
    case 'revoke-policy':
    case 'delete-policy':
      return iam.deleteRolePolicy(roleName, detail.policy!);
    case 'delete-role': {
      for (const policy of detail.policies ?? []) await iam.deleteRolePolicy(roleName, policy);
      await iam.deleteRole(roleName);
      return;
    }
    default:
      throw new ControllerError('INTERNAL', `iam: unknown change ${opOf(change)} for ${change.resource}`);
  }
}

/**
 * The pass saw no role with this name at any path, so one that exists now was created a moment
 * ago and is not visible to reads yet (IAM is eventually consistent): the next pass sees it.
 */
async function createRole(iam: IamApi, input: CreateRoleInput): Promise<void> {
  try {
    await iam.createRole(input);
  } catch (error) {
    if (error instanceof ControllerError && error.code === 'CONFLICT') {
      throw new TransientError(`role ${input.name} already exists but was not visible when observed (IAM is eventually consistent); the next pass reconciles it`, error);
    }
    throw error;
  }
}
