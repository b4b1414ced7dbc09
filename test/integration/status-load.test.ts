/**
 * A burst of status API reads during a pass: the reads queue on the API's own pool, and neither
 * /readyz, the scheduler's lease heartbeat nor the reconcile pass waits behind them. The reads are
 * made slow the way a heavy query is, by a lock held on the run history they read, so that every
 * connection they can get stays busy; what finishes first is then a matter of pools, not of
 * timing. On one shared pool, /readyz and the pass would wait for the burst. Bounded and loopback.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Launcher } from '../../controller/scheduler/launcher.js';
import { createSchedulerService, type SchedulerService } from '../../controller/scheduler/service.js';
import { createStatusWorld, type StatusWorld } from './status-world.js';

const BURST = 200;

/** The scheduler here only elects a leader; it never launches anything. */
const idleLauncher: Launcher = {
  name: 'an idle launcher',
  pollMs: 2_000,
  launch: async () => { throw new Error('no run is launched by this test'); },
  stop: async () => {},
  describe: async () => [],
  close: async () => {},
};

describe('the status API under load', () => {
  let sw: StatusWorld;
  let scheduler: SchedulerService;

  beforeAll(async () => {
    sw = await createStatusWorld({ degraded: false });
    const built = createSchedulerService(sw.world.ctx, { launcher: idleLauncher, holder: 'load-test' });
    if ('problem' in built) throw new Error(built.problem);
    scheduler = built;
  });
  afterAll(async () => {
    await scheduler?.elector.resign();
    await sw?.close();
  });

  it(`answers /readyz, renews the lease and completes a pass while ${BURST} API reads hold every connection they may use`, async () => {
    const finished: string[] = [];
    let received = 0;
    let allReceived = () => {};
    const burstReceived = new Promise<void>((resolve) => { allReceived = resolve; });
    // In the order the server finished its responses (the client shares this event loop).
    const record = (request: IncomingMessage, response: ServerResponse) => {
      if (++received === BURST) allReceived();
      response.on('finish', () => finished.push(request.url === '/readyz' ? 'ready' : 'api'));
    };
    sw.server.server.on('request', record);
    await sw.admin.query('BEGIN');
    await sw.admin.query('LOCK TABLE openclaw.agent_runs IN ACCESS EXCLUSIVE MODE');
    let locked = true;
    const unlock = async () => {
      if (!locked) return;
      locked = false;
      await sw.admin.query('COMMIT');
    };
    // Should the three wait behind the burst (one shared pool), the test's own timeout ends it; the lock goes with it.
    onTestFinished(unlock);
    const burst = Array.from({ length: BURST }, () => sw.fetch('/api/tenants').then(async (response) => {
      await response.arrayBuffer();
      return response.status;
    }));
    await burstReceived;

    const ready = sw.fetch('/readyz').then(async (response) => ({ status: response.status, body: await response.json() }));
    const lease = scheduler.elector.step().then((leading) => {
      finished.push('lease');
      return leading;
    });
    const pass = sw.world.ctx.loop.pass().then((report) => {
      finished.push('pass');
      return report;
    });
    // Released once those three are done: they need no connection the burst holds.
    await Promise.all([ready, lease, pass]);
    await unlock();

    expect(await ready).toEqual({ status: 200, body: { status: 'ready' } });
    expect(await lease).toBe(true);
    expect((await pass)?.outcomes.filter((o) => o.error)).toEqual([]);
    expect((await Promise.all(burst)).every((status) => status === 200)).toBe(true);
    sw.server.server.off('request', record);
    expect(finished.filter((what) => what === 'api')).toHaveLength(BURST);
    expect(finished.slice(0, 3).sort()).toEqual(['lease', 'pass', 'ready']);
  });
});
