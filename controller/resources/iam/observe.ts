import { names } from '../../../contract/names.js';
import type { TenantModels } from '../../engine/types.js';
import type { IamApi, IamRole } from '../../providers/apis.js';

export interface IamObserved {
  /** The role with the tenant's role name, at any path (names are unique per account). */
  role?: IamRole;
}

/** Every tenant without a role (every pooled one) shares this observation: a pass observes the whole fleet. */
const NO_ROLE: IamObserved = Object.freeze({});

/**
 * One batched listing for all tenants. Every path is listed, not only the controller's, so
 * that a role with a tenant's name elsewhere in the account is seen (and reported) rather than
 * failing CreateRole; on AWS this is the same GetAccountAuthorizationDetails pages either way.
 */
export async function observeIam(iam: IamApi, tenants: readonly string[]): Promise<Map<string, IamObserved>> {
  const byName = new Map((await iam.listRoles('/')).map((role) => [role.name.toLowerCase(), role]));
  return new Map(tenants.map((tenant) => {
    const role = byName.get(names.iamRole(tenant).toLowerCase());
    return [tenant, role ? { role } : NO_ROLE];
  }));
}

/**
 * A few tenants: GetRole (with its inline policies) for each, not the account's listing; none for a
 * tenant settled in the pool (see mayHoldRole), which reads as having no role.
 */
export async function observeIamFew(iam: IamApi, tenants: readonly string[], models: ReadonlyMap<string, TenantModels>): Promise<Map<string, IamObserved>> {
  const roles = await Promise.all(tenants.map((tenant) => (mayHoldRole(models.get(tenant)) ? iam.getRole(names.iamRole(tenant)) : undefined)));
  return new Map(tenants.map((tenant, i) => {
    const role = roles[i];
    return [tenant, role ? { role } : NO_ROLE];
  }));
}

/**
 * Pure: whether a tenant may have a role of its own. Not when it is pooled in its desired state, in its
 * record and in its last full apply: that apply left it no role (diffIam deletes a pooled tenant's role).
 * A tenant moving between models either way, new, or offboarding may have one, and is looked up. A role
 * made out of band for a settled pooled tenant is seen by the next full pass, which lists every role.
 */
export function mayHoldRole(models: TenantModels | undefined): boolean {
  return !(models?.desired === 'pool' && models.recorded === 'pool' && models.applied === 'pool');
}
