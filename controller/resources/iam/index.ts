import type { ResourceModule } from '../../engine/types.js';
import type { IamApi } from '../../providers/apis.js';
import { executeIam } from './apply.js';
import { IAM_KIND, diffIam, type IamDetail } from './diff.js';
import { observeIam, observeIamFew, type IamObserved } from './observe.js';

export { normalizePolicy, samePolicy } from './policy.js';
export type { IamObserved } from './observe.js';
export type { IamDetail } from './diff.js';

export interface IamModuleDeps {
  iam: IamApi;
}

/**
 * One IAM role per tenant: path, ecs-tasks trust, permissions boundary, tags and one inline
 * policy scoped to the tenant's S3 prefix and secrets. Offboarding revokes the inline policy
 * (Retain, and Delete during its grace period) or deletes the role (Delete, after the grace period).
 */
export function iamModule(deps: IamModuleDeps): ResourceModule<IamObserved, IamDetail> {
  return {
    kind: IAM_KIND,
    order: 30,
    observe: async (tenants) => ({ tenants: await observeIam(deps.iam, tenants) }),
    observeFew: async (tenants, _ctx, models) => ({ tenants: await observeIamFew(deps.iam, tenants, models) }),
    diff: diffIam,
    apply: (change) => executeIam(deps.iam, change),
    delete: (change) => executeIam(deps.iam, change),
    describe: (_tenant, observed) => (observed?.role ? { roleArn: observed.role.arn } : {}),
  };
}
