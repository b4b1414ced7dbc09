/**
 * The value of a tenant's integration secret (`<prefix>/tenants/<name>/integrations/<provider>`):
 * the contract between the controller, which writes it (onboarding, refresh, disconnect), and the
 * agents' connectors, which read it. This module imports only the contract's JSON narrowing, so agent
 * code can use it without the controller.
 *
 * A secret holds one of three things: no value at all (the placeholder the controller created), a
 * connected integration, or a disconnected one (tokens removed, the version kept so writes stay ordered).
 *
 * A pooled tenant has at most one secret (`<prefix>/tenants/<name>/integrations`): a document of every
 * integration it connected, each in the same shape (`PooledIntegrations`).
 */
import { isRecord } from './json.js';
import { isOneOf } from './one-of.js';
export const INTEGRATION_PROVIDERS = ['google', 'microsoft', 'hubspot'] as const;
export type IntegrationProviderName = (typeof INTEGRATION_PROVIDERS)[number];

export interface ConnectedIntegration {
  provider: IntegrationProviderName;
  /** Bearer token for the provider's API. */
  accessToken: string;
  /** Used by the controller only, to renew the access token; rotated by the provider on each use (Microsoft, Google sometimes). */
  refreshToken: string;
  /** When the access token stops working (ISO 8601). The controller renews it well before. */
  expiresAt: string;
  /** Scopes the customer granted, as the provider names them. */
  scopes: string[];
  /** The connected account: an email address (Google, Microsoft) or a HubSpot portal id. */
  account: string;
  connectedAt: string;
  /** Last renewal of the access token (ISO 8601), null before the first. */
  lastRefreshAt: string | null;
  /** Increases by one on every write, so a reader can tell which of two values is newer. */
  version: number;
}

export interface DisconnectedIntegration {
  provider: IntegrationProviderName;
  disconnectedAt: string;
  version: number;
}

export type IntegrationSecretValue = ConnectedIntegration | DisconnectedIntegration;

export class IntegrationSecretError extends Error {
  readonly code = 'INTEGRATION_SECRET_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IntegrationSecretError';
  }
}

export function isConnected(value: IntegrationSecretValue | undefined): value is ConnectedIntegration {
  return value !== undefined && 'accessToken' in value;
}

export function isIntegrationProvider(name: string): name is IntegrationProviderName {
  return isOneOf(INTEGRATION_PROVIDERS, name);
}

/**
 * Parses a secret's value. `undefined` (a placeholder without a value) gives `undefined`; anything
 * else must be one of the two shapes, or an IntegrationSecretError names the field (never the value).
 */
export function parseIntegrationSecret(text: string | undefined): IntegrationSecretValue | undefined {
  const raw = jsonObject(text, 'integration secret');
  return raw && integrationValue(raw);
}

/** A secret's text as a JSON object; `undefined` for no value. */
function jsonObject(text: string | undefined, what: string): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new IntegrationSecretError(`${what} is not JSON`, { cause: error });
  }
  if (!isRecord(raw)) throw new IntegrationSecretError(`${what} is not a JSON object`);
  return raw;
}

function integrationValue(raw: Record<string, unknown>): IntegrationSecretValue {
  const provider = raw.provider;
  if (typeof provider !== 'string' || !isIntegrationProvider(provider)) {
    throw new IntegrationSecretError(`integration secret: provider must be one of ${INTEGRATION_PROVIDERS.join(', ')}`);
  }
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new IntegrationSecretError('integration secret: version must be a whole number of at least 1');
  if (!('accessToken' in raw)) {
    return { provider, version, disconnectedAt: isoField(raw, 'disconnectedAt') };
  }
  const scopes = raw.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s): s is string => typeof s === 'string')) throw new IntegrationSecretError('integration secret: scopes must be a list of strings');
  const lastRefreshAt = raw.lastRefreshAt === null ? null : isoField(raw, 'lastRefreshAt');
  return {
    provider,
    accessToken: stringField(raw, 'accessToken'),
    refreshToken: stringField(raw, 'refreshToken'),
    expiresAt: isoField(raw, 'expiresAt'),
    scopes,
    account: stringField(raw, 'account'),
    connectedAt: isoField(raw, 'connectedAt'),
    lastRefreshAt,
    version,
  };
}

/**
 * A pooled tenant's one secret: its connected integrations by provider, and a version that grows by
 * one on every write of the document. A disconnected integration is removed from it; the document of
 * a tenant with none left is emptied and the secret deleted.
 */
export interface PooledIntegrations {
  tenant: string;
  version: number;
  integrations: Partial<Record<IntegrationProviderName, ConnectedIntegration>>;
}

/** Parses a pooled tenant's secret; `undefined` for no value. Each integration is checked as a secret of its own. */
export function parsePooledIntegrations(text: string | undefined): PooledIntegrations | undefined {
  const raw = jsonObject(text, 'pooled integrations secret');
  if (!raw) return undefined;
  if (!isRecord(raw.integrations)) throw new IntegrationSecretError('pooled integrations secret: integrations must be a JSON object');
  const { tenant, version } = raw;
  if (typeof tenant !== 'string' || tenant === '') throw new IntegrationSecretError('pooled integrations secret: tenant must be a non-empty string');
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) throw new IntegrationSecretError('pooled integrations secret: version must be a whole number');
  const integrations: PooledIntegrations['integrations'] = {};
  for (const [provider, entry] of Object.entries(raw.integrations)) {
    const value = isRecord(entry) ? integrationValue(entry) : undefined;
    if (!isConnected(value) || value.provider !== provider) throw new IntegrationSecretError(`pooled integrations secret: ${provider} must be a connected integration of that provider`);
    integrations[value.provider] = value;
  }
  return { tenant, version, integrations };
}

/**
 * One integration's value out of a pooled tenant's secret, as the text its own secret would hold
 * (what the connectors parse), or undefined when the tenant has not connected it.
 */
export function pooledIntegrationText(text: string | undefined, provider: IntegrationProviderName): string | undefined {
  const entry = parsePooledIntegrations(text)?.integrations[provider];
  return entry && serializeIntegrationSecret(entry);
}

/** The text stored in the secret: fields in a fixed order. */
export function serializeIntegrationSecret(value: IntegrationSecretValue | PooledIntegrations): string {
  return JSON.stringify(value);
}

function stringField(raw: Record<string, unknown>, field: string): string {
  const value = raw[field];
  if (typeof value !== 'string' || value === '') throw new IntegrationSecretError(`integration secret: ${field} must be a non-empty string`);
  return value;
}

function isoField(raw: Record<string, unknown>, field: string): string {
  const value = stringField(raw, field);
  if (Number.isNaN(Date.parse(value))) throw new IntegrationSecretError(`integration secret: ${field} must be an ISO 8601 time`);
  return value;
}
