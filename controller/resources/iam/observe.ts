import { names } from '../../../contract/names.js';
import type { IamApi, IamRole } from '../../providers/apis.js';

export interface IamObserved {
  /** The role with the tenant's role name, at any path (names are unique per account). */
  role?: IamRole;
}

/**
 * One batched listing for all tenants. Every path is listed, not only the controller's, so
 * that a role with a tenant's name elsewhere in the account is seen (and reported) rather than
 * failing CreateRole; on AWS this is the same GetAccountAuthorizationDetails pages either way.
 */
export async function observeIam(iam: IamApi, tenants: readonly string[]): Promise<Map<string, IamObserved>> {
  const byName = new Map((await iam.listRoles('/')).map((role) => [role.name.toLowerCase(), role]));
  return new Map(tenants.map((tenant) => {
    const role = byName.get(names.iamRole(tenant).toLowerCase());
    return [tenant, role ? { role } : {}];
  }));
}

/** A few tenants: GetRole (with its inline policies) for each, not the account's listing. */
export async function observeIamFew(iam: IamApi, tenants: readonly string[]): Promise<Map<string, IamObserved>> {
  const roles = await Promise.all(tenants.map((tenant) => iam.getRole(names.iamRole(tenant))));
  return new Map(tenants.map((tenant, i) => {
    const role = roles[i];
    return [tenant, role ? { role } : {}];
  }));
}
