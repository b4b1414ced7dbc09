/**
 * The provider APIs the sandbox serves to the agents' connectors, in the real shapes: Gmail,
 * Google Calendar, Microsoft Graph mail and calendar delta, HubSpot CRM search and associations.
 * Each connected account (by its access token) gets a store of its own, made on first use: empty,
 * or filled by `seed` (the sample mailbox, calendar and CRM of `npm start`).
 */
import type { FastifyInstance } from 'fastify';
import { CalendarStore, registerCalendar } from './calendar.js';
import { Accounts, type ApiOptions } from './common.js';
import { GmailMailbox, registerGmail } from './gmail.js';
import { GraphMailbox, registerGraph } from './graph.js';
import { HubSpotPortal, registerHubSpot } from './hubspot.js';

export interface ProviderStores {
  gmail: Accounts<GmailMailbox>;
  calendar: Accounts<CalendarStore>;
  graph: Accounts<GraphMailbox>;
  hubspot: Accounts<HubSpotPortal>;
}

export interface Seeds {
  gmail?(box: GmailMailbox): void;
  calendar?(store: CalendarStore): void;
  graph?(box: GraphMailbox): void;
  hubspot?(portal: HubSpotPortal): void;
}

export function providerStores(now: () => number, seeds: Seeds = {}): ProviderStores {
  const seeded = <T>(make: (account: string) => T, seed?: (store: T) => void) => new Accounts((account) => {
    const store = make(account);
    seed?.(store);
    return store;
  });
  return {
    gmail: seeded((a) => new GmailMailbox(a), seeds.gmail),
    calendar: seeded((a) => new CalendarStore(a, now), seeds.calendar),
    graph: seeded((a) => new GraphMailbox(a, now), seeds.graph),
    hubspot: seeded((a) => new HubSpotPortal(a, now), seeds.hubspot),
  };
}

export function registerProviderApis(app: FastifyInstance, options: ApiOptions, stores: ProviderStores): void {
  registerGmail(app, options, stores.gmail);
  registerCalendar(app, options, stores.calendar);
  registerGraph(app, options, stores.graph);
  registerHubSpot(app, options, stores.hubspot);
}

export type { ApiOptions } from './common.js';
export { GmailMailbox, type MailItem } from './gmail.js';
export { CalendarStore, type CalendarItem } from './calendar.js';
export { GraphMailbox } from './graph.js';
export { HubSpotPortal, type CrmObjectType } from './hubspot.js';
