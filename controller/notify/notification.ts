/**
 * What a notification says, and who receives it: pure functions from the controller's events (and from
 * the run history, for agents failing repeatedly) to notifications, and from a notification to channels.
 */
import type { LoadedChannel, NotificationEvent } from '../manifests/types.js';

export interface Notification {
  event: NotificationEvent;
  /** Unset for a fleet-wide event (a held deletion). */
  tenant?: string;
  severity: 'warning' | 'info';
  title: string;
  text: string;
  revision?: string;
  at: string;
  /** A command that acts on it: the confirmation of a held deletion. */
  command?: string;
  /** The ops page, at the tenant when there is one. */
  link?: string;
  /** Same key on the same channel within the dedup window: sent once. */
  key: string;
}

/** An event as the status store returns it. */
export interface StoredEvent {
  id: number;
  at: Date;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  tenant?: string | null;
  resource?: string | null;
  revision?: string | null;
}

/** One streak of failed runs of one agent: `since` is the last success before it (null: never succeeded). */
export interface FailingAgent {
  tenant: string;
  agent: string;
  failures: number;
  lastReason: string | null;
  lastFailedAt: Date;
  since: Date | null;
}

export function pageLink(opsUrl: string | undefined, tenant?: string): string | undefined {
  if (!opsUrl) return undefined;
  return tenant ? `${opsUrl}/#/tenants/${encodeURIComponent(tenant)}` : `${opsUrl}/`;
}

/**
 * The notification an event makes, if it is one people need. Transitions (Degraded, Recovered, Purged)
 * are keyed by the event itself; repeated reports of one state (a deletion held each pass, a provider
 * refusing the token at each refresh, a budget check) are keyed by that state, so the dedup window holds them.
 */
export function notificationOf(event: StoredEvent, opsUrl?: string): Notification | undefined {
  const tenant = event.tenant ?? undefined;
  const revision = event.revision ?? undefined;
  const base = { tenant, revision, at: event.at.toISOString(), link: pageLink(opsUrl, tenant) };
  switch (event.reason) {
    case 'Degraded':
      return { ...base, event: 'Degraded', severity: 'warning', title: `Tenant ${tenant} is Degraded`, text: event.message, key: `Degraded:${tenant}:${event.id}` };
    case 'Recovered':
      return { ...base, event: 'Recovered', severity: 'info', title: `Tenant ${tenant} recovered`, text: event.message, key: `Recovered:${tenant}:${event.id}` };
    case 'DeletionHeld':
      return {
        ...base, event: 'DeletionHeld', severity: 'warning', title: `Deletion held at revision ${revision}`,
        text: `${event.message}. Confirm it with: tenantctl confirm-deletion ${revision}`,
        command: `tenantctl confirm-deletion ${revision}`, key: `DeletionHeld:${revision}`,
      };
    case 'Purged':
      return { ...base, event: 'Purged', severity: 'info', title: `Tenant ${tenant} purged`, text: event.message, key: `Purged:${tenant}:${event.id}` };
    case 'ReauthorizationRequired':
      return { ...base, event: 'ReauthorizationRequired', severity: 'warning', title: `Tenant ${tenant}: ${event.resource ?? 'an integration'} needs the customer to connect again`, text: event.message, key: `ReauthorizationRequired:${tenant}:${event.resource ?? ''}` };
    case 'BudgetExceeded':
      return { ...base, event: 'BudgetExceeded', severity: 'warning', title: `Tenant ${tenant} exceeded its budget`, text: event.message, key: `BudgetExceeded:${tenant}:${base.at.slice(0, 7)}` };
    default:
      return undefined;
  }
}

/** One notification per streak of failed runs: the key names the streak by the success before it. */
export function agentFailingNotification(failing: FailingAgent, opsUrl?: string): Notification {
  const { tenant, agent } = failing;
  return {
    event: 'AgentFailing', tenant, severity: 'warning', at: failing.lastFailedAt.toISOString(), link: pageLink(opsUrl, tenant),
    title: `Agent ${agent} of tenant ${tenant} failed ${failing.failures} runs in a row`,
    text: failing.lastReason ? `last failure: ${failing.lastReason}` : 'the last runs failed',
    key: `AgentFailing:${tenant}/${agent}:${failing.since?.toISOString() ?? 'never'}`,
  };
}

/** The channels that receive a notification: those listing its event, and its tenant when they list tenants. */
export function channelsFor(notification: Notification, channels: readonly LoadedChannel[]): LoadedChannel[] {
  return channels.filter(({ manifest: { spec } }) =>
    spec.events.includes(notification.event) &&
    (!spec.tenants || notification.tenant === undefined || spec.tenants.includes(notification.tenant)));
}
