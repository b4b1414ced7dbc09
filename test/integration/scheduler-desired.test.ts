import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastRuns, nextRuns } from '../../controller/scheduler/status.js';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const at = (iso: string) => new Date(`2025-01-06T${iso}Z`).getTime();
const HOUR = 3_600_000;

const enterprise = (extra: Parameters<typeof tenant>[1] = {}) => tenant('initech', {
  tier: 'enterprise',
  agents: [{ name: 'butler', schedule: '0 * * * *' }, { name: 'writer', schedule: '30 * * * *' }],
  ...extra,
});

describe('schedules follow desired state after every pass, without a restart', () => {
  let h: Harness;
  let replica: SchedulerService;
  const advance = async (ms: number) => {
    for (let t = 0; t < ms; t += 60_000) await h.step([replica], 60_000);
  };

  beforeAll(async () => {
    h = await createHarness(at('08:00:30'));
    replica = h.controller();
    await replica.update([enterprise(), tenant('acme', { agents: [{ schedule: '*/15 * * * *' }] })]);
    await h.step([replica], 0);
  });
  afterAll(async () => {
    await replica?.stop();
    await h?.close();
  });

  it('runs nothing for a suspended tenant, and resumes after it without catching up the suspension', async () => {
    await advance(HOUR); // 08:00:30 → 09:00:30
    expect((await h.runs(`tenant = 'acme'`)).map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'running']);
    await replica.update([enterprise(), tenant('acme', { suspended: true, agents: [{ schedule: '*/15 * * * *' }] })]);
    expect(replica.scheduler.entry('acme', 'butler')).toBeUndefined();
    await advance(2 * HOUR); // → 11:00:30
    expect(await h.runs(`tenant = 'acme' AND scheduled_at > $1`, [new Date(at('09:00:30'))])).toEqual([]);

    await replica.update([enterprise(), tenant('acme', { agents: [{ schedule: '*/15 * * * *' }] })]);
    await advance(HOUR / 2); // → 11:30:30
    const after = await h.runs(`tenant = 'acme' AND scheduled_at > $1`, [new Date(at('09:00:30'))]);
    expect(after.map((r) => [r.scheduledAt.toISOString().slice(11, 16), r.status, r.trigger])).toEqual([
      ['11:15', 'succeeded', 'schedule'], ['11:30', 'running', 'schedule'],
    ]);
  });

  it('drops an agent a tier downgrade removes: its schedule is gone after the next pass', async () => {
    const before = await h.runs(`tenant = 'initech' AND agent = 'writer'`);
    expect(before.length).toBeGreaterThan(0);
    const downgraded = enterprise({ tier: 'professional' });
    await replica.update([downgraded, tenant('acme', { agents: [{ schedule: '*/15 * * * *' }] })]);
    expect(replica.scheduler.entry('initech', 'writer')).toBeUndefined();
    expect(replica.scheduler.entry('initech', 'butler')).toBeDefined();
    await advance(2 * HOUR);
    expect(await h.runs(`tenant = 'initech' AND agent = 'writer'`)).toHaveLength(before.length);
    expect((await h.runs(`tenant = 'initech' AND agent = 'butler' AND scheduled_at > $1`, [new Date(at('11:30:30'))])).length).toBe(2);

    await h.pool.query(`INSERT INTO openclaw.tenants (name, manifest, desired, deletion_policy) VALUES ('initech', '{}', $1, 'Retain')`, [downgraded]);
    const next = await nextRuns(h.pool, 'initech', 3, h.clock.now());
    expect(next.map((n) => [n.agent, n.at.toISOString()])).toEqual([
      ['butler', '2025-01-06T14:00:00.000Z'], ['butler', '2025-01-06T15:00:00.000Z'], ['butler', '2025-01-06T16:00:00.000Z'],
    ]);
  });

  it('applies a new schedule from the next tick', async () => {
    await replica.update([enterprise({ tier: 'professional', agents: [{ name: 'butler', schedule: '10 * * * *' }] }), tenant('acme', { agents: [{ schedule: '*/15 * * * *' }] })]);
    const from = h.clock.now();
    await advance(HOUR);
    const runs = await h.runs(`tenant = 'initech' AND scheduled_at > $1`, [new Date(from)]);
    expect(runs.map((r) => r.scheduledAt.toISOString().slice(14, 16))).toEqual(['10']);
  });

  it('shows the last runs of a tenant, newest first, with the run history columns', async () => {
    const runs = await lastRuns(h.pool, 'acme', 2);
    expect(runs).toHaveLength(2);
    expect(runs[0].scheduledAt.getTime()).toBeGreaterThan(runs[1].scheduledAt.getTime());
    expect(Object.keys(runs[0]).sort()).toEqual(['agent', 'durationMs', 'exitCode', 'finishedAt', 'id', 'reason', 'scheduledAt', 'startedAt', 'status', 'taskArn', 'tenant', 'trigger']);
  });
});
