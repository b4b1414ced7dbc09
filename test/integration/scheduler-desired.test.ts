import { describe, expect, it } from 'vitest';
import { lastRuns, nextRuns } from '../../controller/scheduler/status.js';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { manifestSchedules } from '../../controller/scheduler/slots.js';
import { DESIRED_CONTEXT, harnessPerTest, tenant, tenantManifest, type Harness } from './scheduler-harness.js';

const at = (iso: string) => new Date(`2025-01-06T${iso}Z`).getTime();
const HOUR = 3_600_000;

const enterprise = (extra: Parameters<typeof tenant>[1] = {}) => tenant('initech', {
  tier: 'enterprise',
  agents: [{ name: 'butler', schedule: '0 * * * *' }, { name: 'writer', schedule: '30 * * * *' }],
  ...extra,
});
const acme = (extra: Parameters<typeof tenant>[1] = {}) => tenant('acme', { agents: [{ schedule: '*/15 * * * *' }], ...extra });

describe('schedules follow desired state after every pass, without a restart', () => {
  const harness = harnessPerTest();

  /** A test's own scheduler at 08:00:30 on 6 January 2025, with initech and acme, after its first tick. */
  async function started(): Promise<{ h: Harness; replica: SchedulerService; advance(ms: number): Promise<void> }> {
    const h = await harness(at('08:00:30'));
    const replica = h.controller();
    await replica.update([enterprise(), acme()]);
    await h.step([replica], 0);
    const advance = async (ms: number) => {
      for (let t = 0; t < ms; t += 60_000) await h.step([replica], 60_000);
    };
    return { h, replica, advance };
  }

  it('runs nothing for a suspended tenant, and resumes after it without catching up the suspension', async () => {
    const { h, replica, advance } = await started();
    await advance(HOUR); // 08:00:30 → 09:00:30
    expect((await h.runs(`tenant = 'acme'`)).map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'running']);
    await replica.update([enterprise(), acme({ suspended: true })]);
    expect(replica.scheduler.entry('acme', 'butler')).toBeUndefined();
    await advance(2 * HOUR); // → 11:00:30
    expect(await h.runs(`tenant = 'acme' AND scheduled_at > $1`, [new Date(at('09:00:30'))])).toEqual([]);

    await replica.update([enterprise(), acme()]);
    await advance(HOUR / 2); // → 11:30:30
    const after = await h.runs(`tenant = 'acme' AND scheduled_at > $1`, [new Date(at('09:00:30'))]);
    expect(after.map((r) => [r.scheduledAt.toISOString().slice(11, 16), r.status, r.trigger])).toEqual([
      ['11:15', 'succeeded', 'schedule'], ['11:30', 'running', 'schedule'],
    ]);
  });

  it('drops an agent a tier downgrade removes: its schedule is gone after the next pass', async () => {
    const { h, replica, advance } = await started();
    await advance(HOUR / 2); // → 08:30:30: the writer ran at 08:30
    const before = await h.runs(`tenant = 'initech' AND agent = 'writer'`);
    expect(before.map((r) => r.scheduledAt.toISOString().slice(11, 16))).toEqual(['08:30']);
    const downgraded = enterprise({ tier: 'professional' });
    await replica.update([downgraded, acme()]);
    expect(replica.scheduler.entry('initech', 'writer')).toBeUndefined();
    expect(replica.scheduler.entry('initech', 'butler')).toBeDefined();
    await advance(2 * HOUR); // → 10:30:30
    expect(await h.runs(`tenant = 'initech' AND agent = 'writer'`)).toHaveLength(before.length);
    expect((await h.runs(`tenant = 'initech' AND agent = 'butler' AND scheduled_at > $1`, [new Date(at('08:30:30'))])).length).toBe(2);

    await h.pool.query(`INSERT INTO openclaw.tenants (name, manifest, desired, deletion_policy) VALUES ('initech', '{}', $1, 'Retain')`, [downgraded]);
    const next = await nextRuns(h.pool, 'initech', 3, h.clock.now());
    expect(next.map((n) => [n.agent, n.at.toISOString()])).toEqual([
      ['butler', '2025-01-06T11:00:00.000Z'], ['butler', '2025-01-06T12:00:00.000Z'], ['butler', '2025-01-06T13:00:00.000Z'],
    ]);
  });

  it('launches each run with what the newest pass derived from the manifest: its recipients, integrations and role', async () => {
    const h = await harness(at('08:00:30'));
    const replica = h.controller();
    // As the pass listener hands tenants over: each desired state with the manifest it came from.
    const pass = (options: Parameters<typeof tenant>[1]) => {
      const manifest = tenantManifest('acme', { agents: [{ schedule: '*/15 * * * *' }], ...options });
      return replica.update([{ schedules: manifestSchedules(manifest, 'silo', DESIRED_CONTEXT), origin: { manifest } }]);
    };
    await pass({ agents: [{ schedule: '*/15 * * * *', recipients: ['ann@acme.example'] }] });
    await h.step([replica], 0);
    await pass({ agents: [{ schedule: '*/15 * * * *', recipients: ['bob@acme.example'] }], integrations: [{ provider: 'google' }] });
    for (let i = 0; i < 15; i++) await h.step([replica], 60_000); // → 08:15:30
    const launches = h.double.calls.filter((c) => c.operation === 'RunTask').map((c) => c.input as RunTaskCommandInput);
    expect(launches).toHaveLength(1);
    const [override] = launches[0].overrides!.containerOverrides!;
    const env = Object.fromEntries(override.environment!.map((e) => [e.name, e.value]));
    expect(env.OPENCLAW_DIGEST_RECIPIENTS).toBe('ops@acme.example,bob@acme.example');
    expect(env.OPENCLAW_SECRET_GOOGLE_ARN).toBe('arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/tenants/acme/integrations/google');
    expect(launches[0].overrides!.taskRoleArn).toBe('arn:aws:iam::123456789012:role/openclaw/tenants/openclaw-tenant-acme');
  });

  it('applies a new schedule from the next tick', async () => {
    const { h, replica, advance } = await started();
    await replica.update([enterprise({ tier: 'professional', agents: [{ name: 'butler', schedule: '10 * * * *' }] }), acme()]);
    const from = h.clock.now();
    await advance(HOUR);
    const runs = await h.runs(`tenant = 'initech' AND scheduled_at > $1`, [new Date(from)]);
    expect(runs.map((r) => r.scheduledAt.toISOString().slice(14, 16))).toEqual(['10']);
  });

  it('shows the last runs of a tenant, newest first, with the run history columns', async () => {
    const { h, advance } = await started();
    await advance(HOUR / 2); // acme ran at 08:00, 08:15 and 08:30
    const runs = await lastRuns(h.pool, 'acme', 2);
    expect(runs.map((r) => r.scheduledAt.toISOString().slice(11, 16))).toEqual(['08:30', '08:15']);
    expect(Object.keys(runs[0]).sort()).toEqual(['agent', 'durationMs', 'exitCode', 'finishedAt', 'id', 'reason', 'scheduledAt', 'startedAt', 'status', 'taskArn', 'tenant', 'trigger']);
  });
});
