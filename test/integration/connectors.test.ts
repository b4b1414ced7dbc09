import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderApi } from '../../agents/connectors/http.js';
import { secretTokens } from '../../agents/connectors/tokens.js';
import { PROGRAMS } from '../../agents/run.js';
import { serializeIntegrationSecret } from '../../contract/integration-secret.js';
import { startAuthorizationSandbox } from '../../controller/integrations/sandbox/server.js';
import { s256 } from '../../controller/integrations/sandbox/state.js';
import { runAgent } from '../../agents/runtime/runner.js';
import { isConnectorError } from '../../agents/connectors/errors.js';
import { gmailStream } from '../../agents/connectors/gmail.js';
import { googleCalendarStream } from '../../agents/connectors/google-calendar.js';
import { graphCalendarStream, graphMailStream } from '../../agents/connectors/graph.js';
import { hubspotStream } from '../../agents/connectors/hubspot.js';
import type { GraphMailbox, MailItem } from '../../controller/integrations/sandbox/apis/index.js';
import { connect, connectedSecret, crashingOnPage, cursorOf, reset, startHarness, sync, type Harness } from '../provider-doubles/harness.js';

const TENANT = 'acme';
const HOUR = 3_600_000;
let h: Harness;
let n = 0;
/** A mailbox of its own for every test. */
const account = () => `user${++n}@acme.test`;

const mail = (i: number, extra: Partial<MailItem> = {}): MailItem => ({
  from: `Sender ${i} <s${i}@customer.test>`, to: ['me@acme.test', 'team@acme.test'], subject: `Subject ${i}`,
  body: `Body of message ${i}.`, receivedAt: h.clock.now() - i * HOUR, ...extra,
});
const messages = async () => (await h.admin.query<{ provider_id: string; subject: string; body: string; recipients: string[] }>(
  'SELECT provider_id, subject, body, recipients FROM app.messages WHERE tenant_id = $1 ORDER BY subject', [TENANT])).rows;
const events = async () => (await h.admin.query<{ provider_id: string; title: string; starts_at: Date; attendees: string[] }>(
  'SELECT provider_id, title, starts_at, attendees FROM app.calendar_events WHERE tenant_id = $1 ORDER BY title', [TENANT])).rows;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  h.doubles.clearFaults();
  await reset(h, TENANT);
});

describe('the Gmail connector, against the Gmail double', () => {
  const stream = (api: Parameters<typeof gmailStream>[0], bodyMaxBytes = 4096, fullSyncLimit = 1000) => gmailStream(api, { bodyMaxBytes, fullSyncLimit });

  it('reads every message on a first sync, page by page, without attachments and with bodies truncated', async () => {
    const who = account();
    const box = h.doubles.stores.gmail.get(who);
    for (let i = 1; i <= 7; i++) box.add(mail(i, i === 2 ? { attachment: { filename: 'deck.pdf', mimeType: 'application/pdf', size: 900_000 }, body: 'é'.repeat(400) } : {}));
    const { api } = await connect(h, 'google', who);
    const requested = h.doubles.requests.length;
    const { outcome, metered } = await sync(h, TENANT, stream(api, 300), { pageSize: 3 });
    expect(outcome).toMatchObject({ items: 7, complete: true, restarted: false });
    expect(metered).toBe(7);
    const rows = await messages();
    expect(rows.map((r) => r.subject)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `Subject ${i}`));
    expect(rows[0].recipients).toEqual(['me@acme.test', 'team@acme.test']);
    const long = rows[1].body;
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(300);
    expect(long.endsWith('…')).toBe(true);
    expect(h.doubles.requests.slice(requested).some((r) => r.includes('/attachments'))).toBe(false);
    expect(await cursorOf(h, TENANT, 'google', 'gmail')).toEqual({ mode: 'history', historyId: String(box.currentHistoryId) });
  });

  it('follows history on the next run: new messages in, deleted ones out, no listing again', async () => {
    const who = account();
    const box = h.doubles.stores.gmail.get(who);
    const first = box.add(mail(1));
    box.add(mail(2));
    const { api } = await connect(h, 'google', who);
    await sync(h, TENANT, stream(api));
    box.add(mail(3));
    box.remove(first);
    const since = h.doubles.requests.length;
    const { outcome } = await sync(h, TENANT, stream(api));
    expect(outcome).toMatchObject({ items: 2, complete: true });
    expect((await messages()).map((r) => r.subject)).toEqual(['Subject 2', 'Subject 3']);
    const asked = h.doubles.requests.slice(since);
    expect(asked.some((r) => r.includes('/history?startHistoryId='))).toBe(true);
    expect(asked.some((r) => /\/messages\?/.test(r))).toBe(false);
  });

  it('falls back to a bounded full sync when Gmail answers 404 for an expired history, duplicating nothing', async () => {
    const who = account();
    const box = h.doubles.stores.gmail.get(who);
    for (let i = 1; i <= 3; i++) box.add(mail(i));
    const { api } = await connect(h, 'google', who);
    await sync(h, TENANT, stream(api));
    for (let i = 4; i <= 9; i++) box.add(mail(i, { receivedAt: h.clock.now() + i * 60_000 }));
    box.expireHistory();
    const { outcome } = await sync(h, TENANT, stream(api, 4096, 5));
    expect(outcome.restarted).toBe(true);
    // Bounded to the five newest (9 to 5): 4, older than the bound and never read, is the price of the bound.
    expect((await messages()).map((r) => r.subject)).toEqual([1, 2, 3, 5, 6, 7, 8, 9].map((i) => `Subject ${i}`));
    expect(await cursorOf(h, TENANT, 'google', 'gmail')).toEqual({ mode: 'history', historyId: String(box.currentHistoryId) });
  });

  it('waits as long as a 429 Retry-After asks, on the run’s clock, then carries on', async () => {
    const who = account();
    const box = h.doubles.stores.gmail.get(who);
    box.add(mail(1));
    const { api } = await connect(h, 'google', who);
    h.clock.sleeps.length = 0;
    h.doubles.fail('/google/gmail/v1/users/me/messages?', 429, { times: 2, retryAfter: '7' });
    const { outcome } = await sync(h, TENANT, stream(api));
    expect(outcome.items).toBe(1);
    expect(h.clock.sleeps).toEqual([7000, 7000]);
  });

  it('after a crash in the middle of a page, the rerun loses nothing and duplicates nothing', async () => {
    const who = account();
    const box = h.doubles.stores.gmail.get(who);
    for (let i = 1; i <= 6; i++) box.add(mail(i));
    const { api } = await connect(h, 'google', who);
    await expect(sync(h, TENANT, crashingOnPage(stream(api), 3), { pageSize: 2 })).rejects.toThrow('the process was killed');
    // Two pages committed with their cursor; the third page's rows went with its transaction.
    expect((await messages()).map((r) => r.subject)).toEqual(['Subject 1', 'Subject 2', 'Subject 3', 'Subject 4']);
    expect(await cursorOf(h, TENANT, 'google', 'gmail')).toMatchObject({ mode: 'full', fetched: 4 });
    await sync(h, TENANT, stream(api), { pageSize: 2 });
    const rows = await messages();
    expect(rows.map((r) => r.subject)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `Subject ${i}`));
    expect(new Set(rows.map((r) => r.provider_id)).size).toBe(6);
  });
});

describe('the Google Calendar connector, against the Calendar double', () => {
  const event = (title: string, startsInHours: number) => ({ title, start: h.clock.now() + startsInHours * HOUR, end: h.clock.now() + (startsInHours + 1) * HOUR, organizer: 'me@acme.test', attendees: ['me@acme.test', 'guest@customer.test'] });

  it('lists every event on a first sync and keeps the sync token', async () => {
    const who = account();
    const calendar = h.doubles.stores.calendar.get(who);
    for (let i = 1; i <= 5; i++) calendar.add(event(`Event ${i}`, i));
    calendar.add({ ...event('Offsite', 30), allDay: true });
    const { api } = await connect(h, 'google', who);
    const { outcome, metered } = await sync(h, TENANT, googleCalendarStream(api), { pageSize: 2 });
    expect(outcome).toMatchObject({ items: 6, pages: 3, complete: true });
    expect(metered).toBe(6);
    const rows = await events();
    expect(rows.map((r) => r.title)).toEqual(['Event 1', 'Event 2', 'Event 3', 'Event 4', 'Event 5', 'Offsite']);
    expect(rows[0].attendees).toEqual(['me@acme.test', 'guest@customer.test']);
    expect(rows[5].starts_at.toISOString()).toMatch(/T00:00:00\.000Z$/);
    expect(await cursorOf(h, TENANT, 'google', 'calendar')).toEqual({ syncToken: expect.any(String) });
  });

  it('asks with the sync token next time: changes applied, cancelled events removed', async () => {
    const who = account();
    const calendar = h.doubles.stores.calendar.get(who);
    const [a, b] = [calendar.add(event('Kickoff', 1)), calendar.add(event('Review', 2))];
    const { api } = await connect(h, 'google', who);
    await sync(h, TENANT, googleCalendarStream(api));
    calendar.update(a, { title: 'Kickoff (moved)' });
    calendar.cancel(b);
    calendar.add(event('Pricing call', 3));
    const since = h.doubles.requests.length;
    const { outcome } = await sync(h, TENANT, googleCalendarStream(api));
    expect(outcome.items).toBe(3);
    expect((await events()).map((r) => r.title)).toEqual(['Kickoff (moved)', 'Pricing call']);
    expect(h.doubles.requests.slice(since).every((r) => r.includes('syncToken='))).toBe(true);
  });

  it('starts a full sync when Calendar answers 410 GONE for an expired sync token', async () => {
    const who = account();
    const calendar = h.doubles.stores.calendar.get(who);
    calendar.add(event('Kickoff', 1));
    const { api } = await connect(h, 'google', who);
    await sync(h, TENANT, googleCalendarStream(api));
    calendar.add(event('Review', 2));
    calendar.expireSyncTokens();
    const { outcome } = await sync(h, TENANT, googleCalendarStream(api));
    expect(outcome).toMatchObject({ restarted: true, complete: true });
    expect((await events()).map((r) => r.title)).toEqual(['Kickoff', 'Review']);
  });

  it('honours a Retry-After given as an HTTP date on 429, and retries a 503 with backoff', async () => {
    const who = account();
    h.doubles.stores.calendar.get(who).add(event('Kickoff', 1));
    const { api } = await connect(h, 'google', who);
    h.clock.sleeps.length = 0;
    h.doubles.fail('/google/calendar/', 429, { retryAfter: new Date(h.clock.now() + 12_000).toUTCString() });
    h.doubles.fail('/google/calendar/', 503);
    const { outcome } = await sync(h, TENANT, googleCalendarStream(api));
    expect(outcome.items).toBe(1);
    expect(h.clock.sleeps[0]).toBeGreaterThanOrEqual(11_000);
    expect(h.clock.sleeps[0]).toBeLessThanOrEqual(12_000);
    expect(h.clock.sleeps).toHaveLength(2);
  });

  it('after a crash in the middle of a page, the rerun loses nothing and duplicates nothing', async () => {
    const who = account();
    const calendar = h.doubles.stores.calendar.get(who);
    for (let i = 1; i <= 5; i++) calendar.add(event(`Event ${i}`, i));
    const { api } = await connect(h, 'google', who);
    await expect(sync(h, TENANT, crashingOnPage(googleCalendarStream(api), 2), { pageSize: 2 })).rejects.toThrow('the process was killed');
    expect((await events()).map((r) => r.title)).toEqual(['Event 1', 'Event 2']);
    await sync(h, TENANT, googleCalendarStream(api), { pageSize: 2 });
    expect((await events()).map((r) => r.title)).toEqual(['Event 1', 'Event 2', 'Event 3', 'Event 4', 'Event 5']);
  });

  it('fails with PROVIDER_UNAVAILABLE when the connection keeps dropping mid-sync, and the next run resumes from the cursor', async () => {
    const who = account();
    const calendar = h.doubles.stores.calendar.get(who);
    for (let i = 1; i <= 5; i++) calendar.add(event(`Event ${i}`, i));
    const first = await connect(h, 'google', who);
    await sync(h, TENANT, googleCalendarStream(first.api), { pageSize: 2, maxItems: 2 });
    // The connection drops while the second page is read.
    h.doubles.drop('/google/calendar/', 6);
    await expect(sync(h, TENANT, googleCalendarStream(first.api), { pageSize: 2 })).rejects.toSatisfy((e) => isConnectorError(e, 'PROVIDER_UNAVAILABLE'));
    expect((await events()).map((r) => r.title)).toEqual(['Event 1', 'Event 2']);
    await sync(h, TENANT, googleCalendarStream(first.api), { pageSize: 2 });
    const rows = await events();
    expect(rows.map((r) => r.title)).toEqual(['Event 1', 'Event 2', 'Event 3', 'Event 4', 'Event 5']);
    expect(new Set(rows.map((r) => r.provider_id)).size).toBe(5);
  });
});

describe('the Microsoft Graph connectors, against the Graph double', () => {
  const mails = (box: GraphMailbox, count: number, from = 1) => Array.from({ length: count }, (_, i) => box.messages.add(mail(from + i)));
  const event = (title: string, startsInHours: number) => ({ title, start: h.clock.now() + startsInHours * HOUR, end: h.clock.now() + (startsInHours + 1) * HOUR, organizer: 'me@acme.test', attendees: ['guest@customer.test'] });

  it('reads the inbox delta page by page to its deltaLink, then only the changes through it', async () => {
    const who = account();
    const box = h.doubles.stores.graph.get(who);
    const [first] = mails(box, 5);
    const { api } = await connect(h, 'microsoft', who);
    const initial = await sync(h, TENANT, graphMailStream(api, 4096, h.clock.now), { pageSize: 2 });
    expect(initial.outcome).toMatchObject({ items: 5, pages: 3, complete: true });
    const rows = await messages();
    expect(rows.map((r) => r.subject)).toEqual([1, 2, 3, 4, 5].map((i) => `Subject ${i}`));
    expect(rows[0].recipients).toEqual(['me@acme.test', 'team@acme.test']);
    expect(await cursorOf(h, TENANT, 'microsoft', 'mail')).toEqual({ link: expect.stringMatching(/deltatoken=/) });
    box.messages.remove(first);
    box.messages.update(box.messages.add(mail(6)), { subject: 'Subject 6 (edited)' });
    const next = await sync(h, TENANT, graphMailStream(api, 4096, h.clock.now));
    expect(next.outcome.items).toBe(2);
    expect((await messages()).map((r) => r.subject)).toEqual(['Subject 2', 'Subject 3', 'Subject 4', 'Subject 5', 'Subject 6 (edited)']);
  });

  it('starts a new round when Graph answers 410 Gone for an expired delta token', async () => {
    const who = account();
    const box = h.doubles.stores.graph.get(who);
    mails(box, 2);
    const { api } = await connect(h, 'microsoft', who);
    await sync(h, TENANT, graphMailStream(api, 4096, h.clock.now));
    mails(box, 1, 3);
    box.expireDeltaTokens();
    const { outcome } = await sync(h, TENANT, graphMailStream(api, 4096, h.clock.now));
    expect(outcome).toMatchObject({ restarted: true, items: 3 });
    expect((await messages()).map((r) => r.subject)).toEqual(['Subject 1', 'Subject 2', 'Subject 3']);
  });

  it('reads the calendarView delta in its window and removes deleted events; 429 Retry-After is honoured', async () => {
    const who = account();
    const box = h.doubles.stores.graph.get(who);
    const kickoff = box.events.add(event('Kickoff', 2));
    box.events.add(event('Review', 30));
    box.events.add(event('Far away', 24 * 40));
    const { api } = await connect(h, 'microsoft', who);
    h.clock.sleeps.length = 0;
    h.doubles.fail('/microsoft/v1.0/me/calendarView/delta', 429, { retryAfter: '3' });
    await sync(h, TENANT, graphCalendarStream(api, 14, h.clock.now));
    expect(h.clock.sleeps).toEqual([3000]);
    expect((await events()).map((r) => r.title)).toEqual(['Kickoff', 'Review']);
    box.events.remove(kickoff);
    await sync(h, TENANT, graphCalendarStream(api, 14, h.clock.now));
    expect((await events()).map((r) => r.title)).toEqual(['Review']);
  });

  it('after a crash in the middle of a page, the rerun loses nothing and duplicates nothing', async () => {
    const who = account();
    mails(h.doubles.stores.graph.get(who), 5);
    const { api } = await connect(h, 'microsoft', who);
    await expect(sync(h, TENANT, crashingOnPage(graphMailStream(api, 4096, h.clock.now), 2), { pageSize: 2 })).rejects.toThrow('the process was killed');
    expect(await messages()).toHaveLength(2);
    await sync(h, TENANT, graphMailStream(api, 4096, h.clock.now), { pageSize: 2 });
    const rows = await messages();
    expect(rows.map((r) => r.subject)).toEqual([1, 2, 3, 4, 5].map((i) => `Subject ${i}`));
  });

  it('never follows a stored link to another origin with the tenant’s token', async () => {
    const who = account();
    const { api } = await connect(h, 'microsoft', who);
    await h.admin.query(`INSERT INTO app.connector_cursors (tenant_id, integration, stream, cursor) VALUES ($1, 'microsoft', 'mail', $2)`,
      [TENANT, JSON.stringify({ link: 'https://attacker.test/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=x' })]);
    await expect(sync(h, TENANT, graphMailStream(api, 4096, h.clock.now))).rejects.toSatisfy((e) => isConnectorError(e, 'INVALID_RESPONSE'));
  });
});

describe('the HubSpot connector, against the HubSpot double', () => {
  const leads = async () => (await h.admin.query<{ provider_id: string; name: string; company: string; email: string | null; lifecycle_stage: string | null }>(
    'SELECT provider_id, name, company, email, lifecycle_stage FROM app.leads WHERE tenant_id = $1 ORDER BY name', [TENANT])).rows;
  const leadEvents = async () => (await h.admin.query<{ name: string; kind: string; subject: string | null }>(
    'SELECT l.name, e.kind, e.subject FROM app.lead_events e JOIN app.leads l ON l.tenant_id = e.tenant_id AND l.id = e.lead_id WHERE e.tenant_id = $1 ORDER BY l.name, e.subject', [TENANT])).rows;
  const portalWith = (contacts: number) => {
    const portal = h.doubles.stores.hubspot.get(String(90_000 + ++n));
    const ids = Array.from({ length: contacts }, (_, i) => portal.create('contacts', { firstname: `First${i + 1}`, lastname: 'Lead', email: `lead${i + 1}@customer.test`, company: `Company ${i + 1}`, lifecyclestage: 'lead' }));
    return { portal, ids };
  };
  const all = async (api: Parameters<typeof hubspotStream>[0], limits = {}) => {
    for (const type of ['contacts', 'emails', 'meetings'] as const) await sync(h, TENANT, hubspotStream(api, type), limits);
  };

  it('reads contacts and their emails and meetings on a first sync, paging with paging.next.after', async () => {
    const { portal, ids } = portalWith(5);
    portal.create('emails', { hs_email_subject: 'Re: pricing', hs_email_direction: 'INCOMING_EMAIL', hs_timestamp: String(h.clock.now() - HOUR) }, [ids[0]]);
    portal.create('meetings', { hs_meeting_title: 'Demo', hs_timestamp: String(h.clock.now() + HOUR) }, [ids[0], ids[1]]);
    const { api } = await connect(h, 'hubspot', portal.portalId);
    const requested = h.doubles.requests.length;
    await all(api, { pageSize: 2 });
    expect((await leads()).map((l) => [l.name, l.company, l.email])).toEqual([1, 2, 3, 4, 5].map((i) => [`First${i} Lead`, `Company ${i}`, `lead${i}@customer.test`]));
    expect(await leadEvents()).toEqual([
      { name: 'First1 Lead', kind: 'meeting_booked', subject: 'Demo' },
      { name: 'First1 Lead', kind: 'email_reply', subject: 'Re: pricing' },
      { name: 'First2 Lead', kind: 'meeting_booked', subject: 'Demo' },
    ]);
    // Five contacts, two a page: three searches by this sync (other tests' syncs are not counted).
    expect(h.doubles.requests.slice(requested).filter((r) => r.startsWith('POST /hubspot/crm/v3/objects/contacts/search'))).toHaveLength(3);
    expect(await cursorOf(h, TENANT, 'hubspot', 'contacts')).toEqual({ since: h.clock.now(), seen: ids });
  });

  it('reads only what changed since the stored time on the next run', async () => {
    const { portal, ids } = portalWith(3);
    h.clock.at += 60_000;
    portal.create('contacts', { firstname: 'Fourth', lastname: 'Lead', email: 'fourth@customer.test', company: 'Fourco' });
    const { api } = await connect(h, 'hubspot', portal.portalId);
    await all(api);
    h.clock.at += 60_000;
    portal.update('contacts', ids[2], { lifecyclestage: 'opportunity' });
    portal.create('contacts', { firstname: 'New', lastname: 'Lead', email: 'new@customer.test', company: 'Newco' });
    const { outcome } = await sync(h, TENANT, hubspotStream(api, 'contacts'));
    // The two changed only: not the two older ones, nor the one read last time at the stored time (GTE).
    expect(outcome.items).toBe(2);
    expect((await leads()).map((l) => [l.name, l.lifecycle_stage])).toEqual([['First1 Lead', 'lead'], ['First2 Lead', 'lead'], ['First3 Lead', 'opportunity'], ['Fourth Lead', null], ['New Lead', null]]);
  });

  it('starts the query over from the newest time seen before it would pass search’s 10,000-result window', async () => {
    const { portal } = portalWith(3);
    const { api } = await connect(h, 'hubspot', portal.portalId);
    await h.admin.query(`INSERT INTO app.connector_cursors (tenant_id, integration, stream, cursor) VALUES ($1, 'hubspot', 'contacts', $2)`, [TENANT, JSON.stringify({ since: 0, after: '9900' })]);
    const { outcome } = await sync(h, TENANT, hubspotStream(api, 'contacts'), { pageSize: 200 });
    expect(outcome.complete).toBe(true);
    expect(await cursorOf(h, TENANT, 'hubspot', 'contacts')).toEqual({ since: 0, seen: [] });
  });

  it('waits out a 429 with Retry-After, and after a crash mid-page the rerun duplicates nothing', async () => {
    const { portal } = portalWith(5);
    const { api } = await connect(h, 'hubspot', portal.portalId);
    h.clock.sleeps.length = 0;
    h.doubles.fail('/hubspot/crm/v3/objects/contacts/search', 429, { retryAfter: '10' });
    await expect(sync(h, TENANT, crashingOnPage(hubspotStream(api, 'contacts'), 2), { pageSize: 2 })).rejects.toThrow('the process was killed');
    expect(h.clock.sleeps).toEqual([10_000]);
    expect(await leads()).toHaveLength(2);
    await sync(h, TENANT, hubspotStream(api, 'contacts'), { pageSize: 2 });
    expect((await leads()).map((l) => l.name)).toEqual([1, 2, 3, 4, 5].map((i) => `First${i} Lead`));
  });
});

describe('tokens and outages', () => {
  it('renews a refused token once from the integration secret, then asks for a new consent', async () => {
    const who = account();
    h.doubles.stores.gmail.get(who).add(mail(1));
    const connection = await connect(h, 'google', who, { deadlineMs: 10 * HOUR });
    h.clock.at += 2 * HOUR; // the access token has expired
    connection.secret.text = connectedSecret(h, 'google', who, 2);
    const { outcome } = await sync(h, TENANT, gmailStream(connection.api, { bodyMaxBytes: 4096, fullSyncLimit: 100 }));
    expect(outcome.items).toBe(1);
    h.clock.at += 2 * HOUR; // expired again, and nobody renewed it
    const failure = await sync(h, TENANT, gmailStream(connection.api, { bodyMaxBytes: 4096, fullSyncLimit: 100 })).catch((e: unknown) => e);
    expect(isConnectorError(failure, 'REAUTHORIZATION_REQUIRED')).toBe(true);
    expect(String(failure)).not.toContain('double-google');
  });

  it('fails with a clear reason when a provider stays down, without waiting past the run’s deadline', async () => {
    const who = account();
    h.doubles.stores.gmail.get(who).add(mail(1));
    const { api } = await connect(h, 'google', who, { deadlineMs: 20_000 });
    h.doubles.fail('/google/gmail/', 503, { times: 100, retryAfter: '15' });
    const started = h.clock.now();
    const failure = await sync(h, TENANT, gmailStream(api, { bodyMaxBytes: 4096, fullSyncLimit: 100 })).catch((e: unknown) => e);
    expect(isConnectorError(failure, 'PROVIDER_UNAVAILABLE')).toBe(true);
    expect(String(failure)).toMatch(/google: the provider is unavailable: GET \/google\/gmail\/v1\/users\/me\/profile: asked to wait 15 s, past the run's deadline \(last: 503/);
    expect(h.clock.now() - started).toBeLessThanOrEqual(20_000);
    expect(await cursorOf(h, TENANT, 'google', 'gmail')).toBeUndefined();
  });
});

describe('an agent run ingests before its program, as the tenant’s runtime role', () => {
  const B = 'initech';
  const logged: string[] = [];
  const run = async (tenant: string, mailbox: string, runId: string) => runAgent(PROGRAMS, 'butler', {
    env: {
      OPENCLAW_TENANT: tenant, OPENCLAW_RUN_ID: runId, OPENCLAW_PROVIDER: 'local', OPENCLAW_DATA_DIR: objectsDir,
      DATABASE_URL: h.world.db.url, OPENCLAW_DB_CREDENTIALS: JSON.stringify(await h.world.ctx.provider.credentials.get(tenant)),
      OPENCLAW_INTEGRATION_SECRETS: JSON.stringify({ google: connectedSecret(h, 'google', mailbox) }),
      OPENCLAW_GOOGLE_API_URL: h.doubles.baseUrl('google'),
      OPENCLAW_CONNECTOR_PAGE_SIZE: '2',
    },
    now: () => new Date(h.clock.now()), sleep: h.clock.sleep, log: pino({ level: 'error' }, { write: (line: string) => { logged.push(line); } }),
  });
  let objectsDir: string;

  beforeAll(async () => {
    objectsDir = mkdtempSync(join(tmpdir(), 'oc-connector-runs-'));
    await reset(h, B);
  });

  it('two tenants connected to different mailboxes never see each other’s messages', async () => {
    const [mineA, mineB] = [account(), account()];
    h.doubles.stores.gmail.get(mineA).add(mail(1, { subject: 'Acme renewal terms' }));
    h.doubles.stores.gmail.get(mineA).add(mail(2, { subject: 'Acme invoice' }));
    h.doubles.stores.calendar.get(mineA).add({ title: 'Acme standup', start: h.clock.now() + HOUR, end: h.clock.now() + 2 * HOUR, organizer: mineA, attendees: [mineA] });
    h.doubles.stores.gmail.get(mineB).add(mail(3, { subject: 'Initech layoffs (confidential)' }));
    expect(await run(TENANT, mineA, 'butler-acme-ingest')).toBe(0);
    expect(await run(B, mineB, 'butler-initech-ingest')).toBe(0);
    const seen = async (tenant: string) => (await (await h.session(tenant)).query<{ subject: string }>('SELECT subject FROM app.messages ORDER BY subject')).rows.map((r) => r.subject);
    expect(await seen(TENANT)).toEqual(['Acme invoice', 'Acme renewal terms']);
    expect(await seen(B)).toEqual(['Initech layoffs (confidential)']);
    const cursors = async (tenant: string) => (await (await h.session(tenant)).query<{ tenant_id: string; stream: string }>('SELECT tenant_id, stream FROM app.connector_cursors ORDER BY stream')).rows;
    expect(await cursors(TENANT)).toEqual([{ tenant_id: TENANT, stream: 'calendar' }, { tenant_id: TENANT, stream: 'gmail' }]);
    expect((await cursors(B)).every((c) => c.tenant_id === B)).toBe(true);
    // The digest is built from what was just ingested, and only from the tenant's own rows. Its
    // name holds the run's id: the folder also keeps the digests of the other tests' runs.
    const butlerDir = join(objectsDir, 's3', 'local-tenants', 'tenants', TENANT, 'agents', 'butler');
    const digest = readdirSync(butlerDir, { recursive: true }).map(String).find((f) => f.endsWith('-butler-acme-ingest.md'));
    expect(digest).toBeDefined();
    const text = readFileSync(join(butlerDir, digest ?? ''), 'utf8');
    expect(text).toContain('Acme renewal terms');
    expect(text).toContain('Acme standup');
    expect(text).not.toContain('Initech');
    const { rows } = await h.admin.query('SELECT tenant_id, meter, dimension, quantity::int AS quantity FROM app.usage_meters WHERE run_id LIKE $1 AND meter = $2 ORDER BY tenant_id',
      ['butler-%-ingest', 'connector_items']);
    expect(rows).toEqual([{ tenant_id: TENANT, meter: 'connector_items', dimension: 'google', quantity: 3 }, { tenant_id: B, meter: 'connector_items', dimension: 'google', quantity: 1 }]);
  });

  it('fails the run naming the provider when it is down, and the next run resumes', async () => {
    const mine = account();
    h.doubles.stores.gmail.get(mine).add(mail(1, { subject: 'After the outage' }));
    h.doubles.fail('/google/gmail/', 503, { times: 6 });
    expect(await run(TENANT, mine, 'butler-acme-outage')).toBe(1);
    const failure = JSON.parse(logged[logged.length - 1]);
    expect(failure.msg).toBe('agent run failed');
    expect(failure.err.message).toMatch(/^google: the provider is unavailable: GET \/google\/gmail\/v1\/users\/me\/profile failed 6 times \(last: 503 The service is currently unavailable\.\)$/);
    expect(await run(TENANT, mine, 'butler-acme-after-outage')).toBe(0);
    expect((await messages()).map((m) => m.subject)).toContain('After the outage');
  });
});

describe('the sandbox of npm start', () => {
  it('opens every new account onto a sample mailbox, calendar and CRM, served in the providers’ shapes', async () => {
    const sandbox = await startAuthorizationSandbox({ clients: [], now: h.clock.now });
    try {
      const tokenFor = (provider: 'google' | 'hubspot', account: string) => {
        const verifier = 'v'.repeat(50);
        const code = sandbox.state.issueCode({ provider, clientId: 'c', redirectUri: 'http://127.0.0.1/cb', challenge: s256(verifier), scopes: [], account });
        const answer = sandbox.state.exchangeCode(provider, 'c', code, 'http://127.0.0.1/cb', verifier);
        if (!answer.ok) throw new Error(answer.description);
        return serializeIntegrationSecret({ provider, accessToken: answer.accessToken, refreshToken: answer.refreshToken, expiresAt: new Date(h.clock.now() + 3_600_000).toISOString(), scopes: [], account, connectedAt: new Date(h.clock.now()).toISOString(), lastRefreshAt: null, version: 1 });
      };
      const api = async (provider: 'google' | 'hubspot', account: string) => {
        const secret = tokenFor(provider, account);
        const tokens = await secretTokens(provider, async () => secret, h.clock.now);
        return new ProviderApi(tokens, sandbox.baseUrl(provider).replace('localhost', '127.0.0.1'), { fetch, now: h.clock.now, sleep: h.clock.sleep, deadline: h.clock.now() + 60_000 });
      };
      const google = await api('google', 'ceo@acme.test');
      await sync(h, TENANT, gmailStream(google, { bodyMaxBytes: 4096, fullSyncLimit: 100 }));
      await sync(h, TENANT, googleCalendarStream(google));
      const hubspot = await api('hubspot', '24681357');
      for (const type of ['contacts', 'emails', 'meetings'] as const) await sync(h, TENANT, hubspotStream(hubspot, type));
      const mailbox = await messages();
      expect(mailbox.map((m) => m.subject)).toContain('Pilot: next steps after Tuesday');
      expect(mailbox.every((m) => m.recipients.includes('ceo@acme.test'))).toBe(true);
      const { rows: tomorrow } = await h.admin.query('SELECT count(*)::int AS n FROM app.calendar_events WHERE tenant_id = $1 AND starts_at BETWEEN $2 AND $3',
        [TENANT, new Date(h.clock.now()), new Date(h.clock.now() + 24 * HOUR)]);
      expect(tomorrow[0].n).toBe(4);
      const { rows: signals } = await h.admin.query<{ name: string; kind: string }>(
        `SELECT l.name, e.kind FROM app.lead_events e JOIN app.leads l ON l.tenant_id = e.tenant_id AND l.id = e.lead_id WHERE e.tenant_id = $1 ORDER BY 1, 2`, [TENANT]);
      expect(signals).toContainEqual({ name: 'Priya Natarajan', kind: 'email_reply' });
      expect(signals).toContainEqual({ name: 'Priya Natarajan', kind: 'meeting_booked' });
    } finally {
      await sandbox.close();
    }
  });
});
