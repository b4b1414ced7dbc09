import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerRun } from '../../controller/scheduler/trigger.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const at = (iso: string) => new Date(`2025-01-06T${iso}Z`).getTime();
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

// Every agent run lasts 12 minutes: a five-minute schedule overlaps itself.
const LONG = { durationMs: 12 * 60_000 };

interface Overlapped {
  h: Harness;
  close(): Promise<void>;
}

/** A harness whose three tenants, one per policy, ran their five-minute schedules of 12-minute runs from 09:04 to 09:21. */
async function overlapped(): Promise<Overlapped> {
  const h = await createHarness(at('09:04:00'));
  h.double.state.ecs.setOutcome({ startedBy: /^openclaw\// }, LONG);
  const replica = h.controller();
  await replica.update([
    tenant('forbid', { agents: [{ concurrencyPolicy: 'Forbid' }] }),
    tenant('allow', { agents: [{ concurrencyPolicy: 'Allow' }] }),
    tenant('replace', { agents: [{ concurrencyPolicy: 'Replace' }] }),
  ]);
  for (let i = 0; i < 34; i++) await h.step([replica], 30_000); // 09:04 → 09:21
  return { h, async close() { await replica.stop(); await h.close(); } };
}

describe('concurrency policies', () => {
  // The scheduled runs, which these tests only read; manual runs have a harness of their own below.
  let scheduled: Overlapped | undefined;
  let h: Harness;

  beforeAll(async () => {
    scheduled = await overlapped();
    h = scheduled.h;
  });
  afterAll(async () => scheduled?.close());

  const runsOf = (name: string) => h.runs('tenant = $1', [name]);

  it('Forbid skips a fire while the previous run is still running, naming it, and runs again once it has ended', async () => {
    const runs = await runsOf('forbid');
    expect(runs.map((r) => [hhmm(r.scheduledAt), r.status])).toEqual([
      ['09:05', 'succeeded'], ['09:10', 'skipped'], ['09:15', 'skipped'], ['09:20', 'running'],
    ]);
    expect(runs[1].reason).toBe(`Forbid: run ${runs[0].id} is still running`);
  });

  it('Allow runs overlapping fires side by side', async () => {
    const runs = await runsOf('allow');
    expect(runs.map((r) => [hhmm(r.scheduledAt), r.status])).toEqual([
      ['09:05', 'succeeded'], ['09:10', 'running'], ['09:15', 'running'], ['09:20', 'running'],
    ]);
    expect(new Set(runs.map((r) => r.taskArn)).size).toBe(4);
  });

  it('Replace stops the running task (StopTask) and records it as stopped before starting the next', async () => {
    const runs = await runsOf('replace');
    expect(runs.map((r) => [hhmm(r.scheduledAt), r.status])).toEqual([
      ['09:05', 'stopped'], ['09:10', 'stopped'], ['09:15', 'stopped'], ['09:20', 'running'],
    ]);
    expect(runs[0].reason).toBe(`Replace: stopped for run ${runs[1].id}`);
    const stops = h.double.calls.filter((c) => c.operation === 'StopTask').map((c) => (c.input as { task: string }).task);
    expect(stops).toEqual(runs.slice(0, 3).map((r) => r.taskArn));
    const live = h.double.state.ecs.live().filter((t) => t.input.startedBy === 'openclaw/replace/butler' && t.stoppedAt === undefined && t.createdAt + t.provisioningMs + t.durationMs > h.clock.now());
    expect(live.map((t) => t.taskArn)).toEqual([runs[3].taskArn]);
  });

  describe('a manual run (tenantctl trigger)', () => {
    // Its own harness: a manual run is one more run in the history the tests above read.
    let manual: Overlapped | undefined;
    let h: Harness;
    const runsOf = (name: string) => h.runs('tenant = $1', [name]);

    beforeAll(async () => {
      manual = await overlapped();
      h = manual.h;
      for (const t of [tenant('forbid', { agents: [{ concurrencyPolicy: 'Forbid' }] }), tenant('allow', { agents: [{ concurrencyPolicy: 'Allow' }] }), tenant('suspended', { suspended: true })]) {
        await h.pool.query(`INSERT INTO openclaw.tenants (name, manifest, desired, deletion_policy) VALUES ($1, '{}', $2, 'Retain')`, [t.name, t]);
      }
    });
    afterAll(async () => manual?.close());

    it('is subject to the concurrency policy: Forbid refuses it while a run is running', async () => {
      const { ctx, seams } = h.context();
      const result = await triggerRun(ctx, 'forbid', 'butler', seams);
      expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/^run .* skipped: Forbid: run .* is still running$/) });
      expect((await runsOf('forbid')).filter((r) => r.trigger === 'manual').map((r) => r.status)).toEqual(['skipped']);
    });

    it('starts now and is recorded like a scheduled run, with trigger manual', async () => {
      const { ctx, seams } = h.context();
      const result = await triggerRun(ctx, 'allow', 'butler', seams);
      expect(result.ok).toBe(true);
      const [manual] = (await runsOf('allow')).filter((r) => r.trigger === 'manual');
      expect(manual).toMatchObject({ status: 'running', scheduledAt: new Date(h.clock.now()), taskArn: expect.stringMatching(/^arn:aws:ecs:/) });
    });

    it('refuses an unknown tenant, an unknown agent and an agent that is not active, each with a clear message', async () => {
      const { ctx, seams } = h.context();
      expect(await triggerRun(ctx, 'nobody', 'butler', seams)).toEqual({ ok: false, message: 'unknown tenant "nobody": no active tenant of that name has been applied' });
      expect(await triggerRun(ctx, 'allow', 'poet', seams)).toEqual({ ok: false, message: 'unknown agent "poet" (allowed: butler, scout, writer)' });
      expect(await triggerRun(ctx, 'allow', 'writer', seams)).toEqual({ ok: false, message: 'agent writer is not configured for tenant allow' });
      expect(await triggerRun(ctx, 'suspended', 'butler', seams)).toEqual({ ok: false, message: 'agent butler of tenant suspended is not active: the tenant is suspended' });
    });
  });
});
