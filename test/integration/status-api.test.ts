import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../controller/status/metrics.js';
import { StatusStore } from '../../controller/status/store.js';
import { starterYaml } from '../helpers/world.js';
import { createStatusWorld, DATABASE_DOWN, EXAMPLE_TENANTS, GLOBEX_FAILURE, type StatusWorld } from './status-world.js';

import { createManualClock } from '../aws-double/index.js';

/** The controller's clock in these tests: what it reports is compared with it, never with the wall clock. */
const NOW = Date.UTC(2025, 0, 6, 9, 2, 0);
const clock = createManualClock(NOW);
/** Longer than the backoff these tests configure (OPENCLAW_BACKOFF_MAX 2ms): a failed tenant is due again. */
const BETWEEN_PASSES_MS = 1_000;

/** One Prometheus series' value in a scrape, if it is there. */
function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// Every test leaves the fleet as it found it (or changes what no other test reads), so they pass in any order.

describe('the status HTTP server', () => {
  let sw: StatusWorld;
  let readyBeforePass: { status: number; body: any };
  /** When the last full pass ran, on the controller's clock. */
  let lastPassAt: number;
  const pass = async () => {
    lastPassAt = clock.now();
    return sw.world.pass();
  };
  const metrics = async () => (await sw.fetch('/metrics')).text();
  /** Runs of the history for the length of `body`: no other test sees them. */
  const withRuns = async (rows: [id: string, tenant: string, agent: string, ageMs: number, status: string, exitCode: number | null][], body: () => Promise<void>) => {
    const now = clock.now();
    for (const [id, tenant, agent, ageMs, status, exitCode] of rows) {
      await sw.admin.query(
        `INSERT INTO openclaw.agent_runs (id, tenant, agent, scheduled_at, trigger, started_at, finished_at, status, exit_code, task_arn, reason)
         VALUES ($1, $2, $3, $4, $5, $4, $6, $7, $8, $9, $10)`,
        [id, tenant, agent, new Date(now - ageMs), status === 'running' ? 'manual' : 'schedule', status === 'running' ? null : new Date(now - ageMs + 10_000),
          status, exitCode, `local:pid/${id}`, exitCode ? `exit code ${exitCode}` : null],
      );
    }
    try {
      await body();
    } finally {
      await sw.admin.query('DELETE FROM openclaw.agent_runs WHERE id = ANY($1)', [rows.map(([id]) => id)]);
    }
  };

  beforeAll(async () => {
    sw = await createStatusWorld({ pass: false, now: clock.now });
    const response = await sw.fetch('/readyz');
    readyBeforePass = { status: response.status, body: await response.json() };
    await pass();
  });
  // Each test starts later on the controller's clock than the one before: a tenant that failed is due again.
  beforeEach(() => clock.advance(BETWEEN_PASSES_MS));

  afterAll(async () => {
    await sw?.close();
  });

  it('answers /healthz while the process is alive', async () => {
    const response = await sw.fetch('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('reports not ready, with the reason, until the first pass is done, and ready after it', async () => {
    expect(readyBeforePass).toEqual({ status: 503, body: { status: 'not ready', reason: 'the first reconcile pass has not finished' } });
    const response = await sw.fetch('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('reports not ready when the database does not answer, and the status store as down in the metrics', async () => {
    sw.databaseDown = true;
    try {
      const response = await sw.fetch('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'not ready', reason: `database: ${DATABASE_DOWN}` });
      expect((await sw.fetch('/healthz')).status).toBe(200);
      const metrics = await sw.fetch('/metrics');
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('openclaw_status_store_up 0');
      const api = await sw.fetch('/api/fleet');
      expect(api.status).toBe(500);
      expect((await api.json()).error).toBe('internal error');
    } finally {
      sw.databaseDown = false;
    }
    expect((await sw.fetch('/readyz')).status).toBe(200);
  });

  it('summarizes the fleet: Ready, Degraded and Suspended counts, last pass, applied revision and provider', async () => {
    const fleet = await sw.json('/api/fleet');
    expect(fleet.tenants).toBe(3);
    expect(fleet.counts).toEqual({ ready: 2, notReady: 1, degraded: 1, suspended: 0, paused: 0, offboarded: 0 });
    expect(fleet.lastPass.revision).toMatch(/^dir:/);
    expect(fleet.appliedRevision.revision).toBe(fleet.lastPass.revision);
    expect(fleet.rejectedRevision).toBeNull();
    expect(fleet.provider.name).toBe('local');
  });

  it('lists every tenant with its tier, conditions, last reconcile, next run and last error', async () => {
    const { tenants } = await sw.json('/api/tenants');
    expect(tenants.map((t: any) => t.name)).toEqual(EXAMPLE_TENANTS);
    const byName = Object.fromEntries(tenants.map((t: any) => [t.name, t]));
    expect(byName.acme).toMatchObject({ tier: 'starter', ready: 'True', synced: 'True', degraded: 'False', suspended: 'False', lastError: null, message: null, lifecycle: 'Active' });
    expect(byName.acme.nextRun.agent).toBe('butler');
    // Every five minutes in Europe/Berlin, after 10:02 there.
    expect(byName.acme.nextRun.at).toBe('2025-01-06T09:05:00.000Z');
    expect(byName.acme.lastReconcileAt).toBe(new Date(lastPassAt).toISOString());
    expect(byName.globex).toMatchObject({ tier: 'professional', ready: 'False', synced: 'False', degraded: 'True' });
    expect(byName.globex.lastError).toBe(`could not create postgres schema/tenant_globex: ${GLOBEX_FAILURE}`);
    expect(byName.globex.message).toBe(byName.globex.lastError);
    expect(byName.initech.tier).toBe('enterprise');
  });

  it('describes one tenant: conditions, resources, drift, agents with next runs, events, revision and migration version', async () => {
    const acme = await sw.json('/api/tenants/acme');
    expect(acme.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['Ready=True', 'Synced=True', 'Degraded=False', 'Suspended=False', 'Paused=False', 'IntegrationsReady=False']);
    expect(acme.integrations).toEqual([expect.objectContaining({ provider: 'google', connected: false, state: 'NotConnected', account: null })]);
    expect(acme.resources.map((r: any) => r.kind)).toContain('postgres');
    expect(acme.resources.every((r: any) => r.state === 'Ready')).toBe(true);
    expect(acme.observedRevision).toMatch(/^dir:/);
    expect(acme.migration.version).toBeGreaterThanOrEqual(1);
    expect(acme.migration.version).toBe(acme.migration.latest);
    expect(acme.provider).toBe('local');
    expect(acme.agents).toEqual([expect.objectContaining({ name: 'butler', schedule: '*/5 * * * *', timezone: 'Europe/Berlin', active: true, lastRun: null })]);
    expect(acme.agents[0].nextRunAt).toBe('2025-01-06T09:05:00.000Z');
    expect(acme.events.length).toBeGreaterThan(0);
    expect(acme.events.every((e: any) => typeof e.reason === 'string' && typeof e.at === 'string')).toBe(true);
    expect(acme.events.map((e: any) => e.id)).toEqual([...acme.events.map((e: any) => e.id)].sort((a: number, b: number) => b - a));
    expect(acme.drift).toEqual([]);

    const globex = await sw.json('/api/tenants/globex');
    expect(globex.conditions.find((c: any) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'Retrying', message: globex.lastError });
    expect(globex.resources.find((r: any) => r.kind === 'postgres')).toMatchObject({ state: 'Failed' });
    expect(globex.events.some((e: any) => e.type === 'Warning' && e.reason === 'ReconcileFailed' && e.message === globex.lastError)).toBe(true);
  });

  it('reports drift the controller corrected, in the tenant detail and as a metric', async () => {
    const driftMetric = async () => seriesValue(await metrics(), 'openclaw_drift_corrected_total{kind="postgres"}') ?? 0;
    const before = await driftMetric();
    await sw.admin.query('ALTER ROLE tenant_initech_runtime BYPASSRLS');
    await pass();
    expect(await driftMetric()).toBe(before + 1);
    const initech = await sw.json('/api/tenants/initech');
    expect(initech.drift[0]).toMatchObject({ resource: 'postgres/role/tenant_initech_runtime' });
    expect(initech.drift[0].message).toContain('bypassrls');
  });

  it('answers 404 for an unknown tenant and 400 for a name that is not a tenant name', async () => {
    const unknown = await sw.fetch('/api/tenants/nosuch');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no tenant named nosuch' });
    for (const bad of ['Acme', 'a%20b', '%E0%A4%A', 'x'.repeat(41), '-acme', "acme'--"]) {
      const response = await sw.fetch(`/api/tenants/${bad}`);
      expect(response.status, bad).toBe(400);
    }
    expect((await sw.fetch('/api/nothing')).status).toBe(404);
  });

  it('allows only the methods a path supports', async () => {
    const response = await sw.fetch('/api/tenants', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect((await sw.fetch('/api/source/refresh')).status).toBe(405);
  });

  it('shows the last and next agent runs from the run history', async () => {
    await withRuns([['r1', 'acme', 'butler', 600_000, 'succeeded', 0], ['r2', 'acme', 'butler', 300_000, 'failed', 2], ['r3', 'globex', 'scout', 300_000, 'running', null]], async () => {
      const acme = await sw.json('/api/tenants/acme');
      expect(acme.runs.map((r: any) => [r.status, r.exitCode, r.trigger])).toEqual([['failed', 2, 'schedule'], ['succeeded', 0, 'schedule']]);
      expect(acme.runs[0]).toMatchObject({ id: 'r2', agent: 'butler', taskArn: 'local:pid/r2', reason: 'exit code 2' });
      expect(acme.agents[0].lastRun.status).toBe('failed');
      expect(acme.agents[0].nextRunAt).not.toBeNull();
      const { tenants } = await sw.json('/api/tenants');
      expect(tenants.find((t: any) => t.name === 'globex').lastRun).toMatchObject({ agent: 'scout', status: 'running' });
      expect(tenants.find((t: any) => t.name === 'initech').lastRun).toBeNull();
    });
  });

  it('exposes Prometheus metrics: reconciles by kind and result, durations, queue, AWS calls, runs and tenants by condition', async () => {
    const passesBefore = seriesValue(await metrics(), 'openclaw_reconcile_pass_duration_seconds_count') ?? 0;
    await pass();
    // Later on the controller's clock than the pass: globex's backoff has expired.
    clock.advance(BETWEEN_PASSES_MS);
    await withRuns([['m1', 'initech', 'writer', 900_000, 'succeeded', 0], ['m2', 'initech', 'scout', 600_000, 'failed', 1]], async () => {
      const response = await sw.fetch('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      const value = (series: string) => seriesValue(text, series);
      const passes = value('openclaw_reconcile_pass_duration_seconds_count');
      expect(passes).toBe(passesBefore + 1);
      expect(value('openclaw_reconciles_total{kind="postgres",result="changed"}')).toBeGreaterThanOrEqual(2);
      expect(value('openclaw_reconciles_total{kind="postgres",result="failed"}')).toBeGreaterThanOrEqual(1);
      // acme's and initech's roles were made by the first pass; globex's postgres change fails every pass, so its later kinds are never tried.
      expect(value('openclaw_reconciles_total{kind="iam",result="changed"}')).toBe(2);
      expect(value('openclaw_reconciles_total{kind="iam",result="blocked"}')).toBe(passes);
      expect(value('openclaw_reconcile_passes_total{result="errors"}')).toBe(passes);
      expect(value('openclaw_resource_changes_total{kind="postgres",action="create"}')).toBeGreaterThan(0);
      // globex failed (retryable) and its backoff has expired: it waits for the next pass.
      expect(value('openclaw_tenants_backoff')).toBe(1);
      expect(value('openclaw_queue_depth')).toBe(1);
      expect(value('openclaw_tenants{condition="Ready",status="True"}')).toBe(2);
      expect(value('openclaw_tenants{condition="Degraded",status="True"}')).toBe(1);
      expect(value('openclaw_tenants{condition="Suspended",status="True"}')).toBe(0);
      // Every condition a status can carry has its series, the later ones included.
      expect(value('openclaw_tenants{condition="BudgetExceeded",status="True"}')).toBe(0);
      expect(value('openclaw_agent_runs{result="succeeded"}')).toBe(1);
      expect(value('openclaw_agent_runs{result="failed"}')).toBe(1);
      expect(value('openclaw_status_store_up')).toBe(1);
      expect(value('openclaw_revision_rejected')).toBe(0);
      const { lastPass } = await sw.json('/api/fleet');
      expect(lastPass.at).toBe(new Date(lastPassAt).toISOString());
      expect(value('openclaw_last_pass_timestamp_seconds')).toBe(lastPassAt / 1000);
      const calls = sw.world.ctx.provider.callCounts();
      const [someCall] = Object.keys(calls);
      expect(someCall).toBeDefined();
      const [service, operation] = someCall.split(':');
      expect(value(`openclaw_aws_calls_total{service="${service}",operation="${operation}"}`)).toBe(calls[someCall]);
      expect(text).toContain('# TYPE openclaw_aws_throttles_total counter');
    });
  });

  it('counts AWS calls and throttles as counters that follow the provider', async () => {
    const calls: Record<string, number> = { 'iam:CreateRole': 4 };
    const throttles: Record<string, number> = {};
    const ctx = sw.world.ctx;
    const { registry } = createMetrics({ ...ctx, pool: ctx.pools.api, store: new StatusStore(ctx.pools.api), provider: { callCounts: () => ({ ...calls }), throttleCounts: () => ({ ...throttles }) } });
    const scrape = async () => registry.metrics();
    expect(await scrape()).toContain('openclaw_aws_calls_total{service="iam",operation="CreateRole"} 4');
    calls['iam:CreateRole'] = 9;
    throttles['iam:CreateRole'] = 3;
    const text = await scrape();
    expect(text).toContain('openclaw_aws_calls_total{service="iam",operation="CreateRole"} 9');
    expect(text).toContain('openclaw_aws_throttles_total{service="iam",operation="CreateRole"} 3');
  });

  it('says when agent launches cannot reach AWS: the fleet condition, the status text and a gauge', async () => {
    const { store } = sw.world.ctx;
    const previous = await store.getState('awsReachable');
    const failing = { type: 'AwsReachable', status: 'False', reason: 'LaunchFailing', message: 'launching agent tasks fails: ServerException', lastTransitionTime: new Date(clock.now()).toISOString() };
    try {
      await store.setState('awsReachable', failing);
      expect((await sw.json('/api/fleet')).awsReachable).toEqual(failing);
      expect(await metrics()).toMatch(/^openclaw_aws_reachable 0$/m);
      expect((await sw.fetch('/readyz')).status).toBe(200);
      await store.setState('awsReachable', { ...failing, status: 'True', reason: 'LaunchSucceeded' });
      expect(await metrics()).toMatch(/^openclaw_aws_reachable 1$/m);
    } finally {
      await store.setState('awsReachable', previous ?? null);
    }
  });

  it('serves the ops page and its assets with a strict content security policy', async () => {
    for (const path of ['/', '/tenants/acme']) {
      const response = await sw.fetch(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('<script src="/app.js"');
    }
    const script = await sw.fetch('/app.js');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await sw.fetch('/style.css')).status).toBe(200);
    expect((await sw.fetch('/../package.json')).status).toBe(404);
  });

  it('links the last digest in a tenant’s outbox, as a download never rendered on the ops origin, and says when there is none', async () => {
    expect(await (await sw.fetch('/api/tenants/globex/digests/last')).json()).toEqual({ digest: null });
    expect((await sw.fetch('/api/tenants/globex/digests/last.eml')).status).toBe(204);
    const outbox = join(sw.world.dataDir, 'outbox', 'acme');
    mkdirSync(outbox, { recursive: true });
    writeFileSync(join(outbox, '20250105T070000Z-digest.r1.acme.eml'), 'Subject: older\r\n\r\nold');
    writeFileSync(join(outbox, '20250106T070000Z-digest.r2.acme.eml'), 'Subject: <script>alert(1)</script>\r\n\r\nnew');
    const info = await (await sw.fetch('/api/tenants/acme/digests/last')).json();
    expect(info).toMatchObject({ digest: { name: '20250106T070000Z-digest.r2.acme.eml', href: '/api/tenants/acme/digests/last.eml' } });
    const eml = await sw.fetch(info.digest.href);
    expect(eml.status).toBe(200);
    expect(eml.headers.get('content-type')).toBe('message/rfc822');
    expect(eml.headers.get('content-disposition')).toBe('attachment; filename="acme-20250106T070000Z-digest.r2.acme.eml"');
    expect(eml.headers.get('x-content-type-options')).toBe('nosniff');
    expect(eml.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await eml.text()).toContain('new');
  });
});

/** Tests that change the source or the event log, on a world of their own: what they leave behind is read by none of the tests above. */
describe('the status HTTP server as the source and the event log change', () => {
  let sw: StatusWorld;

  beforeAll(async () => {
    sw = await createStatusWorld({ pass: false, examples: false, degraded: false, now: clock.now });
    sw.world.writeTenant('umbrella.yaml', starterYaml('umbrella'));
    await sw.world.pass();
  });
  afterAll(async () => {
    await sw?.close();
  });

  it('refreshes the source on POST /api/source/refresh and applies a new tenant without waiting for the poll', async () => {
    const suspendedBefore = (await sw.json('/api/fleet')).counts.suspended;
    sw.world.writeTenant('hooli.yaml', starterYaml('hooli', '  suspended: true\n'));
    const response = await sw.fetch('/api/source/refresh', { method: 'POST', body: '{"ref":"refs/heads/main"}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(202);
    await sw.server.settled();
    const { tenants } = await sw.json('/api/tenants');
    expect(tenants.find((t: any) => t.name === 'hooli')).toMatchObject({ ready: 'True', suspended: 'True', nextRun: null });
    expect((await sw.json('/api/fleet')).counts.suspended).toBe(suspendedBefore + 1);
  });

  it('warns in the fleet view when a revision is rejected, and keeps the applied one', async () => {
    sw.world.writeTenant('broken.yaml', 'apiVersion: openclaw.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: Broken!\nspec: {}\n');
    try {
      await sw.world.ctx.loop.refreshSource();
      const fleet = await sw.json('/api/fleet');
      expect(fleet.rejectedRevision.revision).not.toBe(fleet.appliedRevision.revision);
      expect(fleet.rejectedRevision.reason).toMatch(/validation error/);
      const text = await (await sw.fetch('/metrics')).text();
      expect(text).toContain('openclaw_revision_rejected 1');
    } finally {
      sw.world.removeTenant('broken.yaml');
      await sw.world.ctx.loop.refreshSource();
    }
  });

  it('keeps the events table within the configured bound', async () => {
    const filler = Array.from({ length: 450 }, (_, i) => ({ type: 'Normal' as const, reason: 'Filler', message: `event ${i}`, tenant: 'umbrella' }));
    await sw.world.ctx.store.recordEvents(filler);
    expect((await sw.admin.query('SELECT count(*)::int AS n FROM openclaw.events')).rows[0].n).toBeGreaterThan(200);
    await sw.world.pass();
    const { rows } = await sw.admin.query('SELECT count(*)::int AS n, max(id)::int AS newest FROM openclaw.events');
    expect(rows[0].n).toBeLessThanOrEqual(200);
    const newest = await sw.world.ctx.store.events({ limit: 1 });
    expect(newest[0].id).toBe(rows[0].newest);
  });

});
