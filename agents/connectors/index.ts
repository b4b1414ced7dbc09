/**
 * Ingestion at the start of an agent run: for each integration the agent reads (the catalog's
 * `secrets`) and the tenant connected, its streams in order, as the tenant's runtime role.
 * Integrations the tenant has not connected are skipped. A provider that fails (outage,
 * refused token) does not stop the others; the run then fails naming every failure, and the next
 * run resumes from the committed cursors.
 */
import { AGENTS, type AgentName } from '../../contract/catalog.js';
import type { Queryable } from '../runtime/db.js';
import { AGENT_ENV, CONNECTOR_API_URL_ENV, integrationSecretEnv } from '../../contract/agent-env.js';
import { IntegrationSecretError, isIntegrationProvider, pooledIntegrationText, type IntegrationProviderName } from '../../contract/integration-secret.js';
import { ConnectorError, isConnectorError } from './errors.js';
import { errorMessage } from '../../contract/errors.js';
import { gmailStream } from './gmail.js';
import { googleCalendarStream } from './google-calendar.js';
import { graphCalendarStream, graphMailStream } from './graph.js';
import { ProviderApi, type HttpDeps } from './http.js';
import { hubspotStream } from './hubspot.js';
import { readConnectorSettings, type ConnectorSettings } from './settings.js';
import { syncStream, type Stream, type SyncContext, type SyncOutcome } from './sync.js';
import { secretTokens, type SecretText } from './tokens.js';
import { AgentConfigError } from '../runtime/env.js';

export interface IngestContext {
  tenant: string;
  agent: AgentName;
  db: Queryable;
  /** The run's environment: secret ARNs or inline values, API URLs, limits. */
  env: Record<string, string | undefined>;
  /** Reads a secret by ARN with the task's credentials. */
  readSecret: (secretId: string) => Promise<string | undefined>;
  fetch?: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  itemsIngested(integration: IntegrationProviderName, count: number): void;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** Builds the streams of one integration, in the order they run (contacts before their engagements). */
export function streamsFor(integration: IntegrationProviderName, api: ProviderApi, settings: ConnectorSettings, now: () => number): Array<(ctx: SyncContext) => Promise<SyncOutcome>> {
  const { bodyBytes, maxItems, calendarDays } = settings.limits;
  const erase = <C>(stream: Stream<C>) => (ctx: SyncContext) => syncStream(stream, ctx);
  switch (integration) {
    case 'google': return [erase(gmailStream(api, { bodyMaxBytes: bodyBytes, fullSyncLimit: maxItems })), erase(googleCalendarStream(api))];
    case 'microsoft': return [erase(graphMailStream(api, bodyBytes, now)), erase(graphCalendarStream(api, calendarDays, now))];
    case 'hubspot': return (['contacts', 'emails', 'meetings'] as const).map((type) => erase(hubspotStream(api, type)));
  }
}

/**
 * Where an integration's secret text comes from in this run, or undefined when the tenant has none:
 * with the local provider, the values the launcher passed (a local run has no task role); in AWS, the
 * secret by its ARN, or the integration's part of a pooled tenant's one secret. A secret without a value
 * yet (the placeholder), or a pooled secret without that integration, reads as not connected.
 */
export function secretSource(ctx: Pick<IngestContext, 'env' | 'readSecret'>, integration: IntegrationProviderName): SecretText | undefined {
  if (ctx.env[AGENT_ENV.provider] === 'local') {
    const inline = ctx.env[AGENT_ENV.integrationSecrets];
    if (!inline?.trim()) return undefined;
    let values: unknown;
    try {
      values = JSON.parse(inline);
    } catch (error) {
      throw new AgentConfigError(`${AGENT_ENV.integrationSecrets}: not JSON`, { cause: error });
    }
    const value = typeof values === 'object' && values !== null ? Object.entries(values).find(([k]) => k === integration)?.[1] : undefined;
    return typeof value === 'string' ? async () => value : undefined;
  }
  // A pooled run: every integration of the tenant in one secret, read with the tenant-scoped credentials the worker vended.
  const pooled = ctx.env[AGENT_ENV.pooledSecretArn]?.trim();
  const arn = pooled || ctx.env[integrationSecretEnv(integration)]?.trim();
  if (!arn) return undefined;
  return async () => {
    try {
      const text = await ctx.readSecret(arn);
      return pooled ? pooledIntegrationText(text, integration) : text;
    } catch (error) {
      if (error instanceof IntegrationSecretError) throw new ConnectorError('NOT_CONNECTED', integration, `the pooled integrations secret is not readable: ${error.message}`, {}, { cause: error });
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw new ConnectorError('PROVIDER_REFUSED', integration, `could not read the integration secret ${arn}: ${errorMessage(error)}`, {}, { cause: error });
    }
  };
}

export async function ingest(ctx: IngestContext): Promise<SyncOutcome[]> {
  const settings = readConnectorSettings(ctx.env);
  const deadline = ctx.now() + settings.limits.deadlineSeconds * 1000;
  const deps: HttpDeps = { fetch: ctx.fetch ?? fetch, now: ctx.now, sleep: ctx.sleep, random: ctx.random, deadline };
  const outcomes: SyncOutcome[] = [];
  const failures: ConnectorError[] = [];
  for (const integration of AGENTS[ctx.agent].secrets.filter(isIntegrationProvider)) {
    const source = secretSource(ctx, integration);
    if (!source) continue;
    const baseUrl = settings.apiUrls[integration];
    if (!baseUrl) throw new AgentConfigError(`${CONNECTOR_API_URL_ENV[integration]}: required, the tenant connected ${integration} (allowed: the provider's API base URL; the controller sets it when ${integration} is configured)`);
    try {
      const tokens = await secretTokens(integration, source, ctx.now);
      const api = new ProviderApi(tokens, baseUrl, deps);
      for (const sync of streamsFor(integration, api, settings, ctx.now)) {
        const outcome = await sync({ db: ctx.db, tenant: ctx.tenant, pageSize: settings.limits.pageSize, maxItems: settings.limits.maxItems, itemsIngested: ctx.itemsIngested, log: ctx.log });
        outcomes.push(outcome);
        ctx.log('stream ingested', { ...outcome });
      }
    } catch (error) {
      if (isConnectorError(error, 'NOT_CONNECTED')) {
        ctx.log('integration not connected: skipped', { integration });
        continue;
      }
      if (!(error instanceof ConnectorError)) throw error;
      ctx.log('integration failed; the next run resumes from its cursors', { integration, code: error.code, reason: error.message });
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new ConnectorError(failures[0].code, failures[0].integration, `and ${failures.length - 1} more could not ingest: ${failures.map((f) => f.message).join('; ')}`, failures[0].detail, { cause: failures[0], others: failures.slice(1) });
  }
  return outcomes;
}

export { ConnectorError, refusedAuthorizations } from './errors.js';
export type { SyncOutcome } from './sync.js';
