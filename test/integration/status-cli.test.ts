import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import type { CliIo } from '../../controller/cli/command.js';
import { createStatusWorld, GLOBEX_FAILURE, type StatusWorld } from './status-world.js';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('tenantctl status and describe, reading the status store through DATABASE_URL', () => {
  let sw: StatusWorld;
  let elsewhere: string;

  /** Runs tenantctl in-process as from another machine: only DATABASE_URL, in an empty directory. */
  async function tenantctl(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (text) => { stdout += text; },
      stderr: (text) => { stderr += text; },
      env: { DATABASE_URL: sw.world.db.url, OPENCLAW_LOG_LEVEL: 'warn' },
      cwd: elsewhere,
    };
    const code = await main(argv, io);
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    sw = await createStatusWorld();
    elsewhere = mkdtempSync(join(tmpdir(), 'tenantctl-elsewhere-'));
  });

  afterAll(async () => {
    await sw?.close();
  });

  it('prints a table of tenants and exits 1 while a tenant is Degraded', async () => {
    const { code, stdout, stderr } = await tenantctl('status');
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^TENANT\s+TIER\s+ISOLATION\s+READY\s+SYNCED\s+LAST RECONCILE\s+NEXT RUN\s+MESSAGE$/);
    expect(lines[1]).toMatch(/^acme\s+starter\s+silo\s+True\s+True\s+\d+s ago\s+butler in \d+[sm]$/);
    // scout runs every 10 minutes, butler at 07:00 New York time on weekdays: once a day butler's run is the sooner (or as soon).
    expect(lines[2]).toMatch(/^globex \(Degraded\)\s+professional\s+silo\s+False\s+False\s+\d+s ago\s+(scout|butler) in \d+[sm]\s+could not create postgres schema\/tenant_globex: permission denied/);
    expect(lines[3]).toMatch(/^initech\s+enterprise\s+silo\s+True\s+True\s/);
    expect(stdout).toContain('3 tenants: 2 Ready, 1 Degraded, 0 Suspended, 0 Paused, 0 Offboarded');
    expect(stdout).toMatch(/last pass \d+s ago \(\d+\.\ds, \d+ change\(s\)\) · applied revision dir:\w+ · provider local/);
  });

  it('prints the same facts as the HTTP API with --output json', async () => {
    const { code, stdout } = await tenantctl('status', '--output', 'json');
    expect(code).toBe(1);
    const printed = JSON.parse(stdout);
    const api = await sw.json('/api/tenants');
    const fleet = await sw.json('/api/fleet');
    const facts = (t: any) => ({ name: t.name, tier: t.tier, ready: t.ready, synced: t.synced, degraded: t.degraded, lastError: t.lastError, lastReconcileAt: t.lastReconcileAt, nextRun: t.nextRun?.agent });
    expect(printed.tenants.map(facts)).toEqual(api.tenants.map(facts));
    expect(printed.fleet).toEqual(fleet);
  });

  it('describes a tenant like kubectl describe: conditions, resources, agents, runs and events newest first', async () => {
    await sw.world.ctx.store.recordEvents([{ type: 'Normal', reason: 'NewestEvent', message: 'the newest one', tenant: 'acme' }]);
    const { code, stdout } = await tenantctl('describe', 'acme');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Name:\s+acme$/m);
    expect(stdout).toMatch(/^Tier:\s+starter$/m);
    expect(stdout).toMatch(/^Isolation:\s+silo$/m);
    expect(stdout).toMatch(/^Revision:\s+dir:\w+ \(generation 1, observed 1\)$/m);
    expect(stdout).toMatch(/^Migration Version:\s+\d+ \(latest \d+\)$/m);
    expect(stdout).toMatch(/^Last Error:\s+<none>$/m);
    expect(stdout).toMatch(/^Conditions:\n  Type\s+Status\s+Reason\s+Age\s+Message\n  ----\s+------\s+------\s+---\s+-------\n  Ready\s+True\s+Reconciled\s+\d+s\s+every resource matches the manifest$/m);
    expect(stdout).toMatch(/^Resources:\n  Kind\s+Name\s+State\s+Message\n.*\n(  \w+\s+acme\s+Ready.*\n)+/m);
    expect(stdout).toMatch(/^Agents:\n.*\n.*\n  butler\s+\*\/5 \* \* \* \*\s+Europe\/Berlin\s+\S+ \(in \d+[sm]\)\s+-$/m);
    expect(stdout).toMatch(/^Agent Runs:\n  <none>$/m);
    const events = stdout.slice(stdout.indexOf('Events:'));
    expect(events.split('\n')[3]).toMatch(/^  Normal\s+NewestEvent\s+\d+s\s+-\s+the newest one$/);
  });

  it('shows why a Degraded tenant is not Ready', async () => {
    const { code, stdout } = await tenantctl('describe', 'globex');
    expect(code).toBe(0);
    expect(stdout).toContain(`Last Error:         could not create postgres schema/tenant_globex: ${GLOBEX_FAILURE}\n`);
    expect(stdout).toMatch(/^  Degraded\s+True\s+Retrying\s+\d+s\s+could not create postgres schema\/tenant_globex/m);
    expect(stdout).toMatch(/^  postgres\s+globex\s+Failed\s/m);
    expect(stdout).toMatch(/^  Warning\s+ReconcileFailed\s+\d+s\s+-\s+could not create postgres schema\/tenant_globex/m);
  });

  it('lists agent runs, newest first, with trigger, status, duration, exit code, task and reason', async () => {
    const now = Date.now();
    await sw.admin.query(
      `INSERT INTO openclaw.agent_runs (id, tenant, agent, scheduled_at, trigger, started_at, finished_at, status, exit_code, task_arn, reason, duration_ms)
       VALUES ('g1', 'globex', 'scout', $1, 'schedule', $1, $2, 'succeeded', 0, 'local:pid/201', NULL, 4000),
              ('g2', 'globex', 'butler', $3, 'manual', $3, $4, 'failed', 3, 'local:pid/202', 'agent exited with code 3', 2500)`,
      [new Date(now - 900_000), new Date(now - 896_000), new Date(now - 120_000), new Date(now - 117_500)],
    );
    const { stdout } = await tenantctl('describe', 'globex');
    const runs = stdout.slice(stdout.indexOf('Agent Runs:')).split('\n');
    expect(runs[1]).toMatch(/^  Agent\s+Trigger\s+Status\s+Scheduled\s+Duration\s+Exit\s+Task\s+Reason$/);
    expect(runs[3]).toMatch(/^  butler\s+manual\s+failed\s+\S+Z \(2m ago\)\s+2s\s+3\s+local:pid\/202\s+agent exited with code 3$/);
    expect(runs[4]).toMatch(/^  scout\s+schedule\s+succeeded\s+\S+Z \(15m ago\)\s+4s\s+0\s+local:pid\/201$/);
    expect(stdout).toMatch(/^  butler\s+0 7 \* \* 1-5\s+America\/New_York\s+\S+ \(in \d+[smhd]\)\s+failed 2m ago$/m);
  });

  it('prints the API detail with --output json', async () => {
    const { code, stdout } = await tenantctl('describe', 'initech', '-o', 'json');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    const api = await sw.json('/api/tenants/initech');
    expect({ ...printed, agents: undefined, nextRun: undefined }).toEqual({ ...api, agents: undefined, nextRun: undefined });
  });

  it('exits 1 with a clear message for an unknown tenant, and 64 (usage) without a name', async () => {
    const unknown = await tenantctl('describe', 'nosuch');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('tenantctl describe: no tenant named "nosuch" in the status store (known: acme, globex, initech)\n');
    expect((await tenantctl('describe', 'Not A Name')).code).toBe(1);
    const missing = await tenantctl('describe');
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('a tenant name is required');
    expect((await tenantctl('status', '--output', 'yaml')).code).toBe(64);
  });

  it('exits 1 from the real bin while a tenant is Degraded', async () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/tenantctl.js'), 'status'], {
      cwd: elsewhere, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_URL: sw.world.db.url }, timeout: 60_000,
    });
    expect(run.stdout).toContain('globex (Degraded)');
    expect(run.status, run.stderr).toBe(1);
  });

  it('exits 0 once the Degraded tenant is healthy again', async () => {
    sw.failGlobex = false;
    try {
      await sw.world.pass();
      const { code, stdout } = await tenantctl('status');
      expect(code).toBe(0);
      expect(stdout).toContain('3 tenants: 3 Ready, 0 Degraded');
      expect(stdout).not.toContain('(Degraded)');
    } finally {
      // Degraded again for the tests that run after this one: its schema gone, and creating it refused as before.
      sw.failGlobex = true;
      await sw.admin.query('DROP SCHEMA IF EXISTS "tenant_globex" CASCADE');
      await sw.world.pass();
    }
  });
});
