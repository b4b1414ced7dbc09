import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { createLogger } from '../../contract/logger.js';
import { createSchedulerService } from '../../controller/scheduler/service.js';
import type { Timer } from '../../controller/scheduler/timer.js';
import { createWorld, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

describe('tenantctl trigger with the local provider', () => {
  let world: World;
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), cwd: process.cwd(),
        env: { DATABASE_URL: world.db.url, OPENCLAW_TENANTS_DIR: world.tenantsDir, OPENCLAW_DATA_DIR: world.dataDir, OPENCLAW_LOG_LEVEL: 'info' },
      },
    };
  };

  beforeAll(async () => {
    world = await createWorld({ provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-local-'))) });
    await world.pass();
    cliOverrides.open = { provider: world.ctx.provider, log: createLogger({ level: 'silent' }) };
  });
  afterAll(async () => {
    cliOverrides.open = undefined;
    await world?.close();
  });

  it('runs the real agent as a child process against the database, and records its exit', async () => {
    const { io: cli, out } = io();
    const status = await main(['trigger', 'acme', 'butler'], cli);
    expect(out.stderr).toBe('');
    expect(status).toBe(0);
    const [, runId] = /^run (\S+) of acme\/butler succeeded \(exit code 0\) in \d+ ms; log: .*\.log\n$/.exec(out.stdout) ?? [];
    expect(runId).toBeDefined();

    const { rows } = await world.ctx.pool.query('SELECT trigger, status, exit_code, task_arn, started_at IS NOT NULL AS started, duration_ms >= 0 AS timed FROM openclaw.agent_runs WHERE id = $1', [runId]);
    expect(rows).toEqual([{ trigger: 'manual', status: 'succeeded', exit_code: 0, task_arn: expect.stringMatching(/^local:pid\/\d+$/), started: true, timed: true }]);
    const usage = await world.ctx.pool.query('SELECT tenant_id, agent, model FROM app.usage WHERE run_id = $1', [runId]);
    expect(usage.rows).toEqual([{ tenant_id: 'acme', agent: 'butler', model: null }]);
    // Metered when its exit was recorded, as its ECS task would be: starter runs on Fargate Spot.
    const metered = await world.ctx.pool.query('SELECT meter, dimension FROM openclaw.usage_records WHERE run_id = $1 ORDER BY meter', [runId]);
    expect(metered.rows).toEqual([
      { meter: 'emails_sent', dimension: '' }, { meter: 'fargate_gb_seconds', dimension: 'spot' }, { meter: 'fargate_vcpu_seconds', dimension: 'spot' }, { meter: 'run_seconds', dimension: 'butler' },
    ]);
    const digests = join(world.dataDir, 's3', 'local-tenants', 'tenants', 'acme', 'agents', 'butler', 'digests');
    // Another test's run may have written its own: this run's are the ones naming it.
    expect(readdirSync(digests).filter((file) => file.includes(runId))).toEqual([expect.stringMatching(new RegExp(`-${runId}\\.md$`))]);
    // The digest email, delivered to acme's outbox by the local provider.
    expect(readdirSync(join(world.dataDir, 'outbox', 'acme')).filter((file) => file.includes(runId))).toEqual([expect.stringMatching(new RegExp(`-digest\\.${runId}\\.acme\\.eml$`))]);

    const log = readFileSync(join(world.dataDir, 'runs', `${runId}.log`), 'utf8');
    expect(log).toContain('agent run succeeded');
    const credentials = await world.ctx.provider.credentials.get('acme');
    expect(log).not.toContain(credentials!.password);
  }, 60_000);

  it('shows each example tenant’s cost and margin in tenantctl usage, and the run’s compute in its tenant’s cost', async () => {
    // Succeeded or failed, the run's task ran: it is metered either way.
    await main(['trigger', 'acme', 'butler'], io().io);
    const json = io();
    expect(await main(['usage', '--output', 'json'], json.io)).toBe(0);
    const tenants: { tenant: string; tier: string; lines: { meter: string; dimension: string; quantity: number; costUsd: number }[]; costUsd: number; fixedUsd: number; priceUsd: number; marginUsd: number }[] = JSON.parse(json.out.stdout).tenants;
    expect(tenants.map((t) => [t.tenant, t.tier])).toEqual([['acme', 'starter'], ['globex', 'professional'], ['initech', 'enterprise']]);
    const acme = tenants[0];
    // At least the one-minute Fargate minimum of a 0.25 vCPU task on Spot, whatever the run took.
    expect(acme.lines.find((l) => l.meter === 'fargate_vcpu_seconds')).toMatchObject({ dimension: 'spot', quantity: expect.toSatisfy((q: number) => q >= 15) });
    expect(acme.costUsd).toBeGreaterThan(acme.fixedUsd);
    for (const t of tenants) expect(t.marginUsd).toBeCloseTo(t.priceUsd - t.costUsd, 9);
    const text = io();
    expect(await main(['usage'], text.io)).toBe(0);
    for (const name of ['acme', 'globex', 'initech']) expect(text.out.stdout).toMatch(new RegExp(`^${name} \\(\\w+\\): cost \\$\\d+\\.\\d\\d of price \\$\\d+\\.\\d\\d, margin \\$\\d+\\.\\d\\d`, 'm'));
  }, 60_000);

  it('exits 1 with a clear message for an unknown tenant, an unknown agent or an agent that is not active, and starts nothing', async () => {
    const runs = async () => (await world.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM openclaw.agent_runs')).rows[0].n;
    const before = await runs();
    for (const [args, message] of [
      [['nobody', 'butler'], 'tenantctl trigger: unknown tenant "nobody": no active tenant of that name has been applied\n'],
      [['acme', 'poet'], 'tenantctl trigger: unknown agent "poet" (allowed: butler, scout, writer)\n'],
      [['acme', 'scout'], 'tenantctl trigger: agent scout is not configured for tenant acme\n'],
    ] as const) {
      const { io: cli, out } = io();
      expect(await main(['trigger', ...args], cli)).toBe(1);
      expect(out.stderr).toBe(message);
    }
    expect(await runs()).toBe(before);
  }, 60_000);

  it('starts with `tenantctl run`: takes the lease, follows every pass, and gives the lease up when stopped', async () => {
    // The service's three loops (lease, ticks, task polling) each set their next timer when a round has finished.
    const timers = new Map<symbol, () => void>();
    let roundsDone = () => {};
    const timer: Timer = {
      setTimeout: (fn) => {
        const handle = Symbol('timer');
        timers.set(handle, fn);
        if (timers.size === 3) roundsDone();
        return () => void timers.delete(handle);
      },
    };
    /** Runs one round of each loop; settles when all three have finished it. */
    const fire = () => {
      const due = [...timers.values()];
      timers.clear();
      const finished = new Promise<void>((resolve) => { roundsDone = resolve; });
      for (const fn of due) fn();
      return finished;
    };
    const service = createSchedulerService(world.ctx, { timer, holder: 'replica-1' });
    if ('problem' in service) throw new Error(service.problem);
    await service.start();
    await fire();
    expect(service.elector.leading).toBe(true);
    expect(service.scheduler.keys().sort()).toEqual(['acme/butler', 'globex/butler', 'globex/scout', 'initech/butler', 'initech/scout', 'initech/writer']);
    const acme = readFileSync(join(world.tenantsDir, 'acme.yaml'), 'utf8');
    world.writeTenant('acme.yaml', acme.replace('  tier: starter\n', '  tier: starter\n  suspended: true\n'));
    await world.pass();
    expect(service.scheduler.entry('acme', 'butler')).toBeUndefined();
    world.writeTenant('acme.yaml', acme);
    await world.pass();
    expect(service.scheduler.entry('acme', 'butler')).toBeDefined();
    const lease = () => world.ctx.pool.query('SELECT holder FROM openclaw.leases WHERE name = $1', ['scheduler']);
    expect((await lease()).rows).toEqual([{ holder: 'replica-1' }]);
    expect(timers.size).toBe(3);
    await service.stop();
    expect((await lease()).rows).toEqual([]);
  }, 60_000);
});
