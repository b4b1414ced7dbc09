import { tenantLimits, type TenantLimits } from '../usage/limits.js';
import type { DesiredTenant } from './types.js';

/** A desired state as the controller's records hold it: written by any earlier version of the controller. */
export type RememberedDesired = Omit<DesiredTenant, 'limits' | 'isolation'> & { limits?: TenantLimits; isolation?: DesiredTenant['isolation'] };

/**
 * Brings a remembered desired state up to today's shape, so drift is measured against it instead of
 * failing the plan: a record written before per-tenant limits existed gets its tier's defaults, which is
 * what that controller applied (nothing), planned as an update like any other new field; one written before
 * isolation models is a silo, which is all that controller made.
 */
export function upgradeRemembered(desired: RememberedDesired): DesiredTenant {
  return {
    ...desired,
    limits: desired.limits ?? tenantLimits(desired.tier, undefined),
    // Before isolation models, every tenant was a silo: that is what was applied.
    isolation: desired.isolation ?? 'silo',
  };
}
