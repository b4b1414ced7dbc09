import { describe, expect, it } from 'vitest';
import { harnessPerTest, tenant } from './scheduler-harness.js';

const MINUTE = 60_000;
const at = (iso: string) => new Date(`2025-01-06T${iso}Z`).getTime();
const iso = (d: Date) => d.toISOString().slice(11, 16);

describe('missed runs after a restart', () => {
  // Each test its own database, double and clock: a run history is a test's own story.
  const harness = harnessPerTest();

  it('catches up the latest fire within the starting deadline and records older ones as skipped, from the run history', async () => {
    const h = await harness(at('09:00:30'));
    const tenants = [tenant('acme', { agents: [{ schedule: '*/5 * * * *', startingDeadlineSeconds: 300 }] })];
    const first = h.controller({ holder: 'first' });
    await first.update(tenants);
    for (let i = 0; i < 20; i++) await h.step([first], 30_000); // 09:00:30 → 09:10:30
    expect((await h.runs()).map((r) => [iso(r.scheduledAt), r.trigger, r.status])).toEqual([
      ['09:05', 'schedule', 'succeeded'],
      ['09:10', 'schedule', 'running'],
    ]);
    await first.stop();

    // Down from 09:10:30 to 09:27:10: fires 09:15, 09:20 (missed by more than 300 s) and 09:25 (within it).
    h.clock.set(at('09:27:10'));
    const second = h.controller({ holder: 'second' });
    await second.update(tenants);
    await h.step([second], 0);
    for (let i = 0; i < 20; i++) await h.step([second], 30_000); // → 09:37:10
    const runs = await h.runs();
    expect(runs.map((r) => [iso(r.scheduledAt), r.trigger, r.status])).toEqual([
      ['09:05', 'schedule', 'succeeded'],
      ['09:10', 'schedule', 'succeeded'],
      ['09:15', 'catch-up', 'skipped'],
      ['09:20', 'catch-up', 'skipped'],
      ['09:25', 'catch-up', 'succeeded'],
      ['09:30', 'schedule', 'succeeded'],
      ['09:35', 'schedule', 'succeeded'],
    ]);
    expect(runs[2].reason).toMatch(/^missed: not started within the starting deadline of 300s/);
    await second.stop();
  });

  it('never catches up across a schedule change, and lists at most the newest 100 fires after a long outage', async () => {
    const h = await harness(at('22:50:30'));
    // Every 5 minutes until 22:55:30; down through 23:00, a fire the old schedule and the new one share,
    // missed by 30 s: well within the deadline, yet a changed schedule catches up nothing.
    const first = h.controller({ holder: 'first' });
    await first.update([tenant('acme', { agents: [{ schedule: '*/5 * * * *', startingDeadlineSeconds: 300 }] })]);
    for (let i = 0; i < 10; i++) await h.step([first], 30_000); // → 22:55:30
    await first.stop();
    expect((await h.runs()).map((r) => iso(r.scheduledAt))).toEqual(['22:55']);
    h.clock.set(at('23:00:30'));
    const changed = [tenant('acme', { agents: [{ schedule: '*/10 * * * *', startingDeadlineSeconds: 300 }] })];
    const third = h.controller({ holder: 'third' });
    await third.update(changed);
    await h.step([third], 0);
    expect(await h.runs('scheduled_at > $1', [new Date(at('22:56:00'))])).toEqual([]);
    await h.step([third], 10 * MINUTE);
    expect((await h.runs('scheduled_at > $1', [new Date(at('22:56:00'))])).map((r) => [iso(r.scheduledAt), r.trigger])).toEqual([['23:10', 'schedule']]);
    await third.stop();

    // A day later, same schedule: 144 fires since 23:10; the newest (23:10 the next day, 90 s ago) is caught up.
    h.clock.set(at('23:11:30') + 24 * 60 * MINUTE);
    const fourth = h.controller({ holder: 'fourth' });
    await fourth.update(changed);
    await h.step([fourth], 0);
    const since = new Date(at('23:10:00'));
    const missed = await h.runs(`status = 'skipped' AND scheduled_at > $1`, [since]);
    expect(missed).toHaveLength(99);
    expect(missed[0].reason).toMatch(/earlier fires since 2025-01-06T23:10:00.000Z were missed too/);
    const caughtUp = await h.runs(`status <> 'skipped' AND scheduled_at > $1`, [since]);
    expect(caughtUp.map((r) => [r.scheduledAt.toISOString(), r.trigger])).toEqual([['2025-01-07T23:10:00.000Z', 'catch-up']]);
    await fourth.stop();
  });

  it('resumes a run claimed before a crash but never launched, with the same id as idempotency token, or fails it once too late', async () => {
    const h = await harness(at('12:00:00') + 2 * 24 * 60 * MINUTE);
    const now = h.clock.now();
    for (const [id, age] of [['resume-me', 60_000], ['too-late', 400_000]] as const) {
      await h.pool.query(
        `INSERT INTO openclaw.agent_runs (id, tenant, agent, scheduled_at, trigger, status) VALUES ($1, 'acme', 'butler', $2, 'schedule', 'pending')`,
        [id, new Date(now - age)],
      );
    }
    h.double.resetCalls();
    const replica = h.controller({ holder: 'fifth' });
    await replica.update([tenant('acme', { agents: [{ schedule: '*/10 * * * *', startingDeadlineSeconds: 300 }] })]);
    await h.step([replica], 0);
    const [resumed] = await h.runs(`id = 'resume-me'`);
    expect(resumed).toMatchObject({ status: 'running', taskArn: expect.stringMatching(/^arn:aws:ecs:/) });
    expect(h.double.calls.filter((c) => c.operation === 'RunTask').map((c) => (c.input as { clientToken: string }).clientToken)).toContain('resume-me');
    const [late] = await h.runs(`id = 'too-late'`);
    expect(late).toMatchObject({ status: 'failed', taskArn: null, reason: 'launch interrupted (controller stopped) and the starting deadline has passed' });
    await replica.stop();
  });
});
