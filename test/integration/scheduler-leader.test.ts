import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextFires } from '../../controller/scheduler/cron.js';
import { scheduleEntries } from '../../controller/scheduler/entries.js';
import { LeaderLease } from '../../controller/scheduler/lease.js';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const DAY = Date.UTC(2025, 0, 6); // a Monday
const TENANTS = [
  tenant('acme', { agents: [{ schedule: '*/5 * * * *', timezone: 'Europe/Berlin' }] }),
  tenant('globex', {
    tier: 'professional',
    agents: [{ name: 'butler', schedule: '0 7 * * 1-5', timezone: 'America/New_York' }, { name: 'scout', schedule: '*/10 * * * *', timezone: 'America/New_York', concurrencyPolicy: 'Replace' }],
  }),
  tenant('initech', {
    tier: 'enterprise',
    agents: [
      { name: 'butler', schedule: '30 6 * * *', timezone: 'Asia/Tokyo' },
      { name: 'scout', schedule: '*/15 * * * *', timezone: 'Asia/Tokyo', concurrencyPolicy: 'Allow' },
      { name: 'writer', schedule: '*/20 * * * *', timezone: 'Asia/Tokyo' },
    ],
  }),
];

describe('the scheduler lease', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(DAY);
  });
  afterAll(async () => h?.close());

  it('is held by one replica at a time, renewed by its holder, and taken over only after it expires', async () => {
    const a = new LeaderLease(h.pool, { name: 'lease-test', holder: 'a', leaseMs: 15_000, now: h.clock.now });
    const b = new LeaderLease(h.pool, { name: 'lease-test', holder: 'b', leaseMs: 15_000, now: h.clock.now });
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    h.clock.advance(5_000);
    expect(await a.tryAcquire()).toBe(true);
    h.clock.advance(15_000);
    expect(await b.tryAcquire()).toBe(false);
    h.clock.advance(1);
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(false);
    await b.release();
    expect(await a.tryAcquire()).toBe(true);
    expect((await a.holder())?.holder).toBe('a');
  });
});

describe('two controllers on one database through a simulated day', () => {
  let h: Harness;
  let a: SchedulerService;
  let b: SchedulerService;
  const STEP = 20_000;
  const CRASH = DAY + 12 * 3_600_000 - STEP; // just before the noon fires
  const leaders: { at: number; holder: string }[] = [];

  beforeAll(async () => {
    h = await createHarness(DAY - STEP);
    a = h.controller({ holder: 'a', leaseMs: '60s' });
    b = h.controller({ holder: 'b', leaseMs: '60s' });
    for (const replica of [a, b]) await replica.update(TENANTS);
    let replicas = [a, b];
    const noteLeader = () => {
      const holder = replicas.find((r) => r.elector.leading) === a ? 'a' : replicas.find((r) => r.elector.leading) === b ? 'b' : 'none';
      if (leaders.at(-1)?.holder !== holder) leaders.push({ at: h.clock.now(), holder });
    };
    while (h.clock.now() < DAY + 24 * 3_600_000 + 5 * 60_000) {
      if (h.clock.now() === CRASH) replicas = [b]; // a crashes: no release, no renewal; its last tick was at CRASH
      if (h.clock.now() === DAY + 18 * 3_600_000) {
        a = h.controller({ holder: 'a-restarted', leaseMs: '60s' });
        await a.update(TENANTS);
        replicas = [b, a];
      }
      await h.step(replicas, STEP);
      noteLeader();
    }
  }, 300_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await h?.close();
  });

  it('has one leader at a time, and the standby takes over within the lease after the leader crashes', () => {
    expect(leaders.map((l) => l.holder)).toEqual(['a', 'none', 'b']);
    const takeover = leaders[2].at - CRASH;
    expect(takeover).toBeLessThanOrEqual(60_000 + STEP);
  });

  it('finds every scheduled fire of the day exactly once, run to success', async () => {
    const runs = await h.runs(`trigger <> 'manual' AND scheduled_at >= $1 AND scheduled_at < $2`, [new Date(DAY), new Date(DAY + 24 * 3_600_000)]);
    for (const entry of scheduleEntries(TENANTS)) {
      const expected = nextFires(entry.schedule, entry.timezone, DAY - 1, 400).filter((at) => at < DAY + 24 * 3_600_000);
      const recorded = runs.filter((r) => r.tenant === entry.tenant && r.agent === entry.agent).map((r) => r.scheduledAt.getTime());
      expect(recorded, entry.key).toEqual(expected);
    }
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    const taskArns = runs.map((r) => r.taskArn);
    expect(new Set(taskArns).size).toBe(runs.length);
    const launched = h.double.calls.filter((c) => c.operation === 'RunTask' && !c.error && ((c.input as { tags: { key: string; value: string }[] }).tags.some((t) => t.key === 'openclaw:run-id' && runs.some((r) => r.id === t.value))));
    expect(launched).toHaveLength(runs.length);
  });

  it('caught up the fires due while no replica led, including a daily agent that had not run yet that day', async () => {
    const caughtUp = await h.runs(`trigger = 'catch-up'`);
    expect(caughtUp.length).toBeGreaterThan(0);
    for (const run of caughtUp) expect(run.scheduledAt.getTime()).toBe(DAY + 12 * 3_600_000);
    expect(caughtUp.map((r) => `${r.tenant}/${r.agent}`).sort()).toEqual(['acme/butler', 'globex/butler', 'globex/scout', 'initech/scout', 'initech/writer']);
  });
});

describe('two replicas that both believe they lead', () => {
  it('still start each fire once: the unique key on (tenant, agent, scheduled_at) decides', async () => {
    const h = await createHarness(DAY - 30_000);
    try {
      const a = h.controller({ holder: 'a' });
      const b = h.controller({ holder: 'b' });
      for (const replica of [a, b]) {
        await replica.update(TENANTS);
        replica.scheduler.becomeLeader();
      }
      for (let i = 0; i < 60; i++) {
        h.clock.advance(30_000);
        await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
        await Promise.all([a.dispatcher.idle(), b.dispatcher.idle()]);
      }
      const runs = await h.runs();
      const fires = runs.map((r) => `${r.tenant}/${r.agent}@${r.scheduledAt.toISOString()}`);
      expect(new Set(fires).size).toBe(fires.length);
      expect(h.double.calls.filter((c) => c.operation === 'RunTask')).toHaveLength(runs.filter((r) => r.taskArn).length);
      expect(runs.length).toBeGreaterThan(10);
    } finally {
      await h.close();
    }
  });
});
