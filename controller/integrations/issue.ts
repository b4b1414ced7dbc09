/**
 * Issuing an onboarding link, for `tenantctl connect` and the operator API alike: the tenant must be
 * applied and list the provider among its integrations, and the provider must be configured (or the
 * sandbox). The answer carries the link itself, once; only its hash is kept.
 */
import { isIntegrationProvider, INTEGRATION_PROVIDERS, type IntegrationProviderName } from '../../contract/integration-secret.js';
import type { Config } from '../config.js';
import { ControllerError, UsageError } from '../../contract/errors.js';
import type { StatusStore } from '../status/store.js';
import { publicUrlOf } from './index.js';
import { DEFAULT_LINK_TTL_MS, linkUrl, MAX_LINK_TTL_MS, type LinkStore } from './links.js';

export interface IssuedLink {
  tenant: string;
  provider: IntegrationProviderName;
  url: string;
  expiresAt: string;
}

export interface IssueDeps {
  config: Pick<Config, 'publicFace' | 'integrations'>;
  status: Pick<StatusStore, 'tenantRecords'>;
  links: Pick<LinkStore, 'create'>;
}

/** Checks a provider name given by a person: one of the three, or a USAGE error naming them. */
export function providerArgument(name: string | undefined): IntegrationProviderName {
  if (name !== undefined && isIntegrationProvider(name)) return name;
  throw new UsageError(`${JSON.stringify(name ?? '')} is not a provider that can be connected (allowed: ${INTEGRATION_PROVIDERS.join(', ')})`);
}

export function expiryArgument(ttlMs: number | undefined): number {
  const value = ttlMs ?? DEFAULT_LINK_TTL_MS;
  if (value < 60_000 || value > MAX_LINK_TTL_MS) throw new UsageError('the link\'s lifetime must be from 1m to 30d (for example 72h)');
  return value;
}

export async function issueLink(deps: IssueDeps, input: { tenant: string; provider: IntegrationProviderName; ttlMs?: number; createdBy: string }): Promise<IssuedLink> {
  const ttlMs = expiryArgument(input.ttlMs);
  const [record] = await deps.status.tenantRecords(input.tenant);
  if (!record) throw new ControllerError('CONFLICT', `tenant ${input.tenant} has not been applied by the controller (yet)`);
  if (record.lifecycle !== 'Active') throw new ControllerError('CONFLICT', `tenant ${input.tenant} is ${record.lifecycle}: no link can be issued`);
  if (!record.desired.secrets.integrations.some((i) => i.provider === input.provider)) {
    throw new ControllerError('CONFLICT', `tenant ${input.tenant} does not list ${input.provider} under spec.integrations in its applied manifest; add it and let the controller apply it first`);
  }
  if (deps.config.integrations[input.provider].mode === 'off') {
    throw new ControllerError('CONFIG_INVALID', `${input.provider} is not configured: set OPENCLAW_${input.provider.toUpperCase()}_CLIENT_ID and its client secret`);
  }
  const { secret, expiresAt } = await deps.links.create({ tenant: input.tenant, provider: input.provider, ttlMs, createdBy: input.createdBy });
  return { tenant: input.tenant, provider: input.provider, url: linkUrl(publicUrlOf(deps.config), secret), expiresAt: expiresAt.toISOString() };
}
