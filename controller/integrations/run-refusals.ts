/**
 * An agent run whose connector found a provider refusing the tenant's authorization (a 401, and no
 * renewed token in the secret) exits with a status naming the providers (contract/agent-env.ts). The
 * scheduler hands each failed run here: those integrations become ReauthorizationRequired with the
 * command that reconnects them, on the status API, the page and `tenantctl status`, and a Warning event
 * (which notifications pick up). A later connect writes Connected again.
 *
 * The exit status is the run's word only: a misbehaving run can mark its own tenant's integrations,
 * nothing else, and a connect or renewal after the run started is never overridden.
 */
import type { Logger } from 'pino';
import { reauthorizationsOf } from '../../contract/agent-env.js';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import type { EventRecord } from '../status/store.js';
import type { IntegrationStore } from './store.js';

export interface FinishedRun {
  id: string;
  tenant: string;
  agent: string;
  startedAt: Date | null;
  scheduledAt: Date;
}

export function reconnectCommand(tenant: string, provider: IntegrationProviderName): string {
  return `tenantctl connect ${tenant} ${provider}`;
}

/** The run's failure in words, when its exit status says authorizations were refused. */
export function refusalReason(tenant: string, exitCode: number | null | undefined): string | undefined {
  const providers = reauthorizationsOf(exitCode);
  if (providers.length === 0) return undefined;
  return `${providers.join(' and ')} refused the tenant's authorization: the customer must reconnect with ${providers.map((p) => reconnectCommand(tenant, p)).join(' and ')}`;
}

export interface RunRefusalDeps {
  store: Pick<IntegrationStore, 'requireReauthorization'>;
  events: { recordEvents(events: EventRecord[]): Promise<void> };
  log: Logger;
}

/** Marks the integrations a failed run's exit status names; returns those that changed. */
export async function recordRunRefusals(deps: RunRefusalDeps, run: FinishedRun, exitCode: number | null | undefined): Promise<IntegrationProviderName[]> {
  const marked: IntegrationProviderName[] = [];
  for (const provider of reauthorizationsOf(exitCode)) {
    const reason = `${provider} refused the authorization in ${run.agent} run ${run.id}, and no renewed token was in the secret`;
    if (!(await deps.store.requireReauthorization(run.tenant, provider, reason, run.startedAt ?? run.scheduledAt))) continue;
    marked.push(provider);
    await deps.events.recordEvents([{ type: 'Warning', reason: 'ReauthorizationRequired', tenant: run.tenant, resource: `integration/${provider}`, message: `${reason}: reconnect with ${reconnectCommand(run.tenant, provider)}` }]);
    deps.log.warn({ tenant: run.tenant, integration: provider, runId: run.id }, 'integration needs a new consent: an agent run was refused');
  }
  return marked;
}
