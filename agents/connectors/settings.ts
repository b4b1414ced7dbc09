/**
 * The connectors' settings, read from the run's environment (the controller sets them from its own
 * validated configuration): each provider's API base URL and the bounds of CONNECTOR_LIMITS.
 */
import { AgentConfigError } from '../runtime/env.js';
import { CONNECTOR_API_URL_ENV, CONNECTOR_FALLBACKS, CONNECTOR_LIMIT_NAMES, CONNECTOR_LIMITS, type ConnectorLimit } from '../../contract/agent-env.js';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';

export interface ConnectorSettings {
  apiUrls: Partial<Record<IntegrationProviderName, string>>;
  limits: Record<ConnectorLimit, number>;
}

/** Every problem named with what is allowed, in one AgentConfigError. */
export function readConnectorSettings(env: Record<string, string | undefined>): ConnectorSettings {
  const problems: string[] = [];
  const apiUrls: ConnectorSettings['apiUrls'] = {};
  for (const [provider, name] of Object.entries(CONNECTOR_API_URL_ENV)) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value)) problems.push(`${name}: ${JSON.stringify(value)} is not valid (allowed: an http:// or https:// URL without query or fragment)`);
    else if (provider === 'google' || provider === 'microsoft' || provider === 'hubspot') apiUrls[provider] = value.replace(/\/$/, '');
  }
  const limits = { ...CONNECTOR_FALLBACKS };
  for (const key of CONNECTOR_LIMIT_NAMES) {
    const rule = CONNECTOR_LIMITS[key];
    const raw = env[rule.env]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (/^\d+$/.test(raw) && n >= rule.min && n <= rule.max) limits[key] = n;
    else problems.push(`${rule.env}: ${JSON.stringify(raw)} is not valid (allowed: a whole number of ${rule.unit} from ${rule.min} to ${rule.max})`);
  }
  if (problems.length > 0) throw new AgentConfigError(`invalid connector settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { apiUrls, limits };
}
