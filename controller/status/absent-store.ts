import type { KnownTenant, TenantSummary } from './store.js';
import { StatusStore } from './store.js';

/**
 * The status store as a read-only plan sees a database where the controller's schema does not
 * exist yet: nothing was applied, confirmed or held. It is never written (the plan does not write).
 */
export class AbsentStatusStore extends StatusStore {
  override async knownTenants(): Promise<KnownTenant[]> {
    return [];
  }

  override async tenantSummaries(): Promise<TenantSummary[]> {
    return [];
  }

  override async getState<T>(_key: string): Promise<T | undefined> {
    return undefined;
  }
}
