import { ControllerError, TransientError } from '../../../contract/errors.js';
import { detailOf, type Change } from '../../engine/types.js';
import type { CreateRoleInput, IamApi } from '../../providers/apis.js';
import type { IamDetail } from './diff.js';

/** Executes one IAM change (apply and delete alike: the change says what to do). */
export async function executeIam(iam: IamApi, change: Change<IamDetail>): Promise<void> {
  const detail = detailOf(change);
  switch (detail.op) {
    case 'create-role': {
      await createRole(iam, detail.role);
      await iam.putRolePolicy(detail.role.name, detail.policy, detail.document);
      return;
    }
    case 'update-role': {
      if (detail.trust) await iam.updateAssumeRolePolicy(detail.role, detail.trust);
      if (detail.boundary) await iam.putPermissionsBoundary(detail.role, detail.boundary);
      if (Object.keys(detail.tags).length > 0) await iam.tagRole(detail.role, detail.tags);
      return;
    }
    case 'put-policy':
      return iam.putRolePolicy(detail.role, detail.policy, detail.document);
    case 'revoke-policy':
    case 'delete-policy':
      return iam.deleteRolePolicy(detail.role, detail.policy);
    case 'delete-role': {
      for (const policy of detail.policies) await iam.deleteRolePolicy(detail.role, policy);
      await iam.deleteRole(detail.role);
      return;
    }
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
