import type { Isolation } from '../../contract/catalog.js';
import type { TenantModels } from './types.js';

/** What a record says of a tenant's model: the desired state last planned, and the one last applied in full. */
interface RecordedModels {
  desired: { isolation?: Isolation };
  applied: { isolation?: Isolation } | null;
}

/**
 * Pure: each tenant's isolation model in this pass's desired state and in its record, for a pass of
 * a few tenants (ResourceModule.observeFew). A record written before isolation models has none: unknown.
 */
export function tenantModels(
  tenants: readonly string[],
  desired: ReadonlyMap<string, { isolation: Isolation }>,
  recorded: ReadonlyMap<string, RecordedModels>,
): Map<string, TenantModels> {
  return new Map(tenants.map((tenant) => {
    const wanted = desired.get(tenant);
    const record = recorded.get(tenant);
    return [tenant, {
      ...(wanted ? { desired: wanted.isolation } : {}),
      ...(record?.desired.isolation ? { recorded: record.desired.isolation } : {}),
      ...(record?.applied?.isolation ? { applied: record.applied.isolation } : {}),
    }];
  }));
}
