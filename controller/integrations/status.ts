/**
 * Pure: what ops see of a tenant's integrations (connected or not, account, scopes, connected at,
 * last refresh; never a token) and the IntegrationsReady condition derived from it.
 */
import { isIntegrationProvider } from '../../contract/integration-secret.js';
import type { Condition } from '../status/conditions.js';
import type { IntegrationRecord } from './store.js';

export interface IntegrationView {
  provider: string;
  connected: boolean;
  /** Connected, ReauthorizationRequired, Disconnected, NotConnected, or NotSupported (no onboarding for this provider yet). */
  state: IntegrationRecord['state'] | 'NotConnected' | 'NotSupported';
  account: string | null;
  scopes: string[];
  connectedAt: string | null;
  lastRefreshAt: string | null;
  expiresAt: string | null;
  message: string | null;
}

export function integrationViews(tenant: string, listed: readonly string[], records: readonly IntegrationRecord[]): IntegrationView[] {
  return listed.map((provider) => {
    const record = records.find((r) => r.tenant === tenant && r.provider === provider);
    const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
    if (!isIntegrationProvider(provider)) {
      return { provider, connected: false, state: 'NotSupported', account: null, scopes: [], connectedAt: null, lastRefreshAt: null, expiresAt: null, message: 'no onboarding for this provider yet' };
    }
    if (!record) {
      return { provider, connected: false, state: 'NotConnected', account: null, scopes: [], connectedAt: null, lastRefreshAt: null, expiresAt: null, message: `never connected: tenantctl connect ${tenant} ${provider}` };
    }
    return {
      provider,
      connected: record.state === 'Connected',
      state: record.state,
      account: record.account,
      scopes: record.scopes,
      connectedAt: iso(record.connectedAt),
      lastRefreshAt: iso(record.lastRefreshAt),
      expiresAt: iso(record.expiresAt),
      message: record.state === 'Connected' ? null
        : record.state === 'ReauthorizationRequired' ? `reconnect with tenantctl connect ${tenant} ${provider} (${record.reason ?? 'the provider refused the authorization'})`
        : `${record.reason ?? record.state}: tenantctl connect ${tenant} ${provider}`,
    };
  });
}

/** IntegrationsReady: True when every connectable integration is connected; undefined when there is none. */
export function integrationsCondition(views: readonly IntegrationView[], records: readonly IntegrationRecord[]): Condition | undefined {
  const times = records.map((r) => new Date(r.updatedAt).getTime());
  const since = new Date(times.length ? Math.max(...times) : 0).toISOString();
  const connectable = views.filter((v) => v.state !== 'NotSupported');
  if (connectable.length === 0) return undefined;
  const reauth = connectable.filter((v) => v.state === 'ReauthorizationRequired');
  const missing = connectable.filter((v) => !v.connected && v.state !== 'ReauthorizationRequired');
  const base = { type: 'IntegrationsReady' as const, lastTransitionTime: since };
  if (reauth.length > 0) return { ...base, status: 'False', reason: 'ReauthorizationRequired', message: reauth.map((v) => `${v.provider}: ${v.message}`).join('; ') };
  if (missing.length > 0) return { ...base, status: 'False', reason: 'NotConnected', message: missing.map((v) => `${v.provider}: ${v.message}`).join('; ') };
  return { ...base, status: 'True', reason: 'Connected', message: connectable.map((v) => `${v.provider} as ${v.account}`).join(', ') };
}
