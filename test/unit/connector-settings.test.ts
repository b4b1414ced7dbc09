import { describe, expect, it } from 'vitest';
import { readConnectorSettings } from '../../agents/connectors/settings.js';
import { eventRow } from '../../agents/connectors/google-calendar.js';
import { graphEventRow } from '../../agents/connectors/graph.js';
import { EVENT_BOUNDS } from '../../agents/connectors/rows.js';
import { retryAfterMs } from '../../agents/connectors/http.js';
import { secretSource } from '../../agents/connectors/index.js';
import { addressList, htmlToText, truncateUtf8 } from '../../agents/connectors/text.js';
import { AgentConfigError } from '../../agents/runtime/env.js';
import { connectorApiUrls } from '../../controller/compose/launchers.js';
import { loadConfig } from '../../controller/config.js';
import { ConfigError } from '../../contract/errors.js';

describe('the connectors’ settings', () => {
  it('default the bounds, and the controller hands each run the API URLs it configured or the sandbox’s', () => {
    const config = loadConfig({ OPENCLAW_SANDBOX_PORT: '18090', OPENCLAW_HUBSPOT_CLIENT_ID: 'hub-1', OPENCLAW_HUBSPOT_CLIENT_SECRET: 's3cret' }, '/srv/openclaw');
    expect(config.connectors).toEqual({ pageSize: 100, maxItems: 1000, bodyBytes: 16_384, deadlineSeconds: 300, calendarDays: 14 });
    expect(connectorApiUrls(config)).toEqual({
      OPENCLAW_GOOGLE_API_URL: 'http://127.0.0.1:18090/google',
      OPENCLAW_MICROSOFT_API_URL: 'http://127.0.0.1:18090/microsoft',
      OPENCLAW_HUBSPOT_API_URL: 'https://api.hubapi.com',
    });
    expect(readConnectorSettings({ OPENCLAW_GOOGLE_API_URL: 'http://127.0.0.1:18090/google/' })).toEqual({
      apiUrls: { google: 'http://127.0.0.1:18090/google' },
      limits: { pageSize: 100, maxItems: 1000, bodyBytes: 16_384, deadlineSeconds: 300, calendarDays: 14 },
    });
  });

  it('name every bad value with what is allowed, in the controller’s configuration and in the run', () => {
    const bad = { OPENCLAW_CONNECTOR_PAGE_SIZE: '0', OPENCLAW_CONNECTOR_BODY_BYTES: 'lots' };
    expect(() => loadConfig(bad, '/srv/openclaw')).toThrow(ConfigError);
    expect(() => loadConfig(bad, '/srv/openclaw')).toThrow(/OPENCLAW_CONNECTOR_PAGE_SIZE: "0" is not valid \(allowed: a whole number from 1 to 500\)[\s\S]*OPENCLAW_CONNECTOR_BODY_BYTES: "lots"/);
    const run = () => readConnectorSettings({ ...bad, OPENCLAW_MICROSOFT_API_URL: 'graph.microsoft.com' });
    expect(run).toThrow(AgentConfigError);
    expect(run).toThrow(/OPENCLAW_MICROSOFT_API_URL: "graph.microsoft.com" is not valid \(allowed: an http:\/\/ or https:\/\/ URL[\s\S]*OPENCLAW_CONNECTOR_PAGE_SIZE: "0" is not valid \(allowed: a whole number of items a page from 1 to 500\)/);
  });
});

describe('what the connectors keep of a message', () => {
  it('cuts a body at a character boundary within its byte budget', () => {
    const cut = truncateUtf8('ab€€€€', 8);
    expect(cut).toBe('ab€…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(8);
    expect(truncateUtf8('short', 8)).toBe('short');
  });

  it('reads HTML as text without scripts, and address lists with commas inside quoted names', () => {
    expect(htmlToText('<style>p{}</style><p>Hi &amp; welcome</p><script>alert(1)</script><div>Line&#33;</div>')).toBe('Hi & welcome\nLine!');
    expect(addressList('"Doe, Jane" <Jane@Example.com>, bob@example.com, undisclosed-recipients:;')).toEqual(['jane@example.com', 'bob@example.com']);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-03-02T08:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Mon, 02 Mar 2026 08:00:12 GMT', now)).toBe(12_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('where a run finds its integration secrets', () => {
  const notFound = Object.assign(new Error("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"), { name: 'ResourceNotFoundException' });
  const read = async (id: string) => {
    if (id.endsWith('/google')) return '{"provider":"google"}';
    if (id.endsWith('/hubspot')) throw notFound;
    throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
  };
  const arns = { OPENCLAW_SECRET_GOOGLE_ARN: 'arn:s/google', OPENCLAW_SECRET_HUBSPOT_ARN: 'arn:s/hubspot', OPENCLAW_SECRET_MICROSOFT_ARN: 'arn:s/microsoft' };

  it('in AWS reads each by its ARN: a placeholder without a value is not connected, a refusal is an error', async () => {
    const env = { OPENCLAW_PROVIDER: 'aws', ...arns };
    expect(await secretSource({ env, readSecret: read }, 'google')?.()).toBe('{"provider":"google"}');
    expect(await secretSource({ env, readSecret: read }, 'hubspot')?.()).toBeUndefined();
    await expect(secretSource({ env, readSecret: read }, 'microsoft')?.()).rejects.toThrow(/could not read the integration secret arn:s\/microsoft: not authorized/);
  });

  it('locally uses only the values the launcher passed, never an ARN it has no role to read', async () => {
    const env = { OPENCLAW_PROVIDER: 'local', ...arns, OPENCLAW_INTEGRATION_SECRETS: JSON.stringify({ google: 'value' }) };
    expect(await secretSource({ env, readSecret: read }, 'google')?.()).toBe('value');
    expect(secretSource({ env, readSecret: read }, 'hubspot')).toBeUndefined();
    expect(secretSource({ env: { OPENCLAW_PROVIDER: 'local', ...arns }, readSecret: read }, 'google')).toBeUndefined();
  });
});

describe('the events the connectors write', () => {
  it('hold Google’s and Graph’s events to the same bounds: title bytes, attendees, location, and no empty location', () => {
    const title = 'é'.repeat(EVENT_BOUNDS.titleBytes);
    const emails = Array.from({ length: EVENT_BOUNDS.attendees + 5 }, (_, i) => `guest${i}@example.com`);
    const google = (location: string) => eventRow({
      id: 'e1', summary: title, start: { dateTime: '2025-01-06T09:00:00Z' }, end: { dateTime: '2025-01-06T10:00:00Z' },
      attendees: emails.map((email) => ({ email })), organizer: { email: 'host@example.com' }, location,
    });
    const graph = (location: string) => graphEventRow({
      id: 'e1', subject: title, start: { dateTime: '2025-01-06T09:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2025-01-06T10:00:00.0000000', timeZone: 'UTC' },
      attendees: emails.map((address) => ({ emailAddress: { address } })), organizer: { emailAddress: { address: 'host@example.com' } }, location: { displayName: location },
    });
    for (const location of ['x'.repeat(EVENT_BOUNDS.locationChars + 1), '']) {
      expect(google(location)).toEqual(graph(location));
    }
    const row = google('x'.repeat(EVENT_BOUNDS.locationChars + 1))!;
    expect(Buffer.byteLength(row.title)).toBeLessThanOrEqual(EVENT_BOUNDS.titleBytes);
    expect(row.attendees).toEqual(emails.slice(0, EVENT_BOUNDS.attendees));
    expect(row.location).toHaveLength(EVENT_BOUNDS.locationChars);
    expect(google('')!.location).toBeNull();
  });
});
