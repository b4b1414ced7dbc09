import { describe, expect, it } from 'vitest';
import { activeEntry, scheduleEntries } from '../../controller/scheduler/entries.js';
import { runEnvironment, databaseUrlWithoutCredentials } from '../../controller/scheduler/run-env.js';
import { upcomingRuns } from '../../controller/scheduler/status.js';
import { tenant } from '../integration/scheduler-harness.js';

const globex = tenant('globex', {
  tier: 'professional',
  agents: [{ name: 'butler', schedule: '0 7 * * *', timezone: 'America/New_York', recipients: ['sales@globex.example'] }, { name: 'scout', schedule: '*/10 * * * *', startingDeadlineSeconds: 60, concurrencyPolicy: 'Replace' }],
  integrations: [{ provider: 'microsoft' }, { provider: 'hubspot' }],
});

describe('schedule entries from desired state', () => {
  it('has one entry per active agent, with its schedule, policy, deadline, role and the secrets it reads', () => {
    const [butler, scout] = scheduleEntries([globex]);
    expect(scout).toMatchObject({
      key: 'globex/scout', tier: 'professional', label: '*/10 * * * * UTC', concurrencyPolicy: 'Replace', startingDeadlineMs: 60_000,
      roleArn: 'arn:aws:iam::123456789012:role/openclaw/tenants/openclaw-tenant-globex', dbSecret: 'openclaw/tenants/globex/db',
      integrationSecrets: [{ provider: 'hubspot', name: 'openclaw/tenants/globex/integrations/hubspot' }],
    });
    expect(butler.integrationSecrets.map((s) => s.provider)).toEqual(['microsoft']);
  });

  it('has none for a suspended tenant, a disabled agent, or an agent its tier does not include', () => {
    expect(scheduleEntries([tenant('a', { suspended: true })])).toEqual([]);
    expect(scheduleEntries([tenant('b', { agents: [{ enabled: false }] })])).toEqual([]);
    expect(scheduleEntries([tenant('c', { tier: 'starter', agents: [{ name: 'scout' }] })])).toEqual([]);
  });

  it('says why an agent cannot be triggered', () => {
    expect(activeEntry(undefined, 'nobody', 'butler')).toBe('unknown tenant "nobody"');
    expect(activeEntry(globex, 'globex', 'poet')).toBe('unknown agent "poet" (allowed: butler, scout, writer)');
    expect(activeEntry(globex, 'globex', 'writer')).toBe('agent writer is not configured for tenant globex');
    expect(activeEntry(tenant('c', { tier: 'starter', agents: [{ name: 'scout' }] }), 'c', 'scout')).toBe('agent scout of tenant c is not active: the starter tier does not include it');
    expect(activeEntry(tenant('b', { agents: [{ enabled: false }] }), 'b', 'butler')).toBe('agent butler of tenant b is not active: it is disabled in the manifest');
  });

  it('gives a run its tenant, agent, run id and secret ARNs', () => {
    const [, scout] = scheduleEntries([globex]);
    expect(runEnvironment(scout, 'r1', { arn: (name) => `arn:${name}` })).toEqual({
      OPENCLAW_TENANT: 'globex', OPENCLAW_AGENT: 'scout', OPENCLAW_RUN_ID: 'r1', OPENCLAW_TENANT_DISPLAY_NAME: 'globex',
      OPENCLAW_DB_SECRET_ARN: 'arn:openclaw/tenants/globex/db', OPENCLAW_SECRET_HUBSPOT_ARN: 'arn:openclaw/tenants/globex/integrations/hubspot',
    });
    expect(databaseUrlWithoutCredentials('postgres://admin:pw@db.internal:5432/openclaw?sslmode=require')).toBe('postgres://db.internal:5432/openclaw?sslmode=require');
  });

  it('sends butler’s digest to the tenant’s contact and the agent’s recipients, and no other agent any', () => {
    const [butler, scout] = scheduleEntries([globex]);
    expect(runEnvironment(butler, 'r2', { arn: (name) => name }).OPENCLAW_DIGEST_RECIPIENTS).toBe('ops@globex.example,sales@globex.example');
    expect(runEnvironment(scout, 'r3', { arn: (name) => name })).not.toHaveProperty('OPENCLAW_DIGEST_RECIPIENTS');
  });

  it('lists the next runs of a tenant, soonest first', () => {
    const next = upcomingRuns(globex, 3, new Date('2025-01-06T11:55:00Z').getTime());
    expect(next.map((n) => [n.agent, n.at.toISOString()])).toEqual([
      ['scout', '2025-01-06T12:00:00.000Z'], ['butler', '2025-01-06T12:00:00.000Z'], ['scout', '2025-01-06T12:10:00.000Z'],
    ].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0])));
  });
});
