/**
 * Launch spreading: `count` tenants whose butler is due at 07:00 UTC, the scheduler of
 * controller/scheduler as `tenantctl run` builds it, ECS RunTask on the AWS double (latency, and
 * Fargate's launch bucket: burst 100, then 20/s). The scheduler's clock is real time shifted so that
 * 07:00 comes a second after the start; every rate runs on real time. The tenants are silo: a task per run.
 */
import { ecsLauncherFor } from '../controller/compose/launchers.js';
import { desiredTenant } from '../controller/desired/tenant.js';
import type { ControllerContext } from '../controller/main.js';
import type { TenantManifest } from '../controller/manifests/types.js';
import { createSchedulerService } from '../controller/scheduler/service.js';
import { round } from './limits.js';
import { tenantName } from './manifests.js';
import { inlineDouble, type BenchController, type World } from './world.js';

/** Fargate's task launch rate (Amazon ECS API request throttling): burst 100, then 20 per second. */
export const FARGATE_LAUNCHES = { perSecond: 20, burst: 100 };

function manifest(name: string): TenantManifest {
  return {
    apiVersion: 'openclaw.io/v1alpha1', kind: 'Tenant', metadata: { name },
    spec: {
      displayName: name, contact: { email: `ops@${name}.example` }, tier: 'starter', isolation: 'silo', suspended: false, deletionPolicy: 'Retain',
      integrations: [{ provider: 'google' }], storage: { archiveAfterDays: 30, expireAfterDays: 365 }, costAllocationTags: {},
      agents: [{ name: 'butler', enabled: true, schedule: '0 7 * * *', timezone: 'UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300 }],
    },
  };
}

export async function launchSpreading(world: World, controller: BenchController, count: number) {
  const fireAt = Date.UTC(2025, 0, 6, 7, 0, 0);
  const shift = fireAt - 1_000 - Date.now();
  const now = () => Date.now() + shift;
  const ctx = { ...controller.ctx, now } as ControllerContext;
  // The controller's own ECS client (attached to the double with the others), on the shifted clock.
  const timing = { now, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)), random: Math.random };
  const launcher = ecsLauncherFor(ctx.config, controller.clients.ecs, timing, ctx.log);
  if ('problem' in launcher) throw new Error(`the scheduler cannot launch on ECS: ${launcher.problem}`);
  const service = createSchedulerService(ctx, { launcher, holder: 'bench-scheduler' });
  if ('problem' in service) throw new Error(`the scheduler cannot launch on ECS: ${service.problem}`);
  try {
    await service.elector.step();
    await service.update(Array.from({ length: count }, (_, i) => desiredTenant(manifest(tenantName(i + 1)), ctx.desiredContext)));
    await service.scheduler.tick(); // loads the schedules: the 07:00 fire is next
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, fireAt - now() + 5)));
    const double = inlineDouble(world, 'launch-spreading');
    const before = double.calls.length;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await service.scheduler.tick(); // claims every due fire; the dispatcher launches them at the launcher's rate
    const claimedMs = performance.now() - started;
    await service.dispatcher.idle();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const calls = double.calls.slice(before).filter((c) => c.operation === 'RunTask');
    const launched = calls.filter((c) => !c.error);
    const { rows } = await ctx.pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM openclaw.agent_runs GROUP BY status`);
    const rate = ctx.config.scheduler.launchesPerSecond;
    const spreadMs = launched.length > 1 ? launched.at(-1)!.at - launched[0].at : 0;
    const fargateFloorS = Math.max(0, count - FARGATE_LAUNCHES.burst) / FARGATE_LAUNCHES.perSecond;
    const configuredFloorS = Math.max(0, count - rate) / rate;
    const perSecond = Array.from({ length: Math.ceil(spreadMs / 1000) + 1 }, () => 0);
    for (const c of launched) perSecond[Math.floor((c.at - launched[0].at) / 1000)]++;
    return {
      runs: count,
      launchesPerSecondConfigured: rate,
      wallMs: round(wallMs, 1),
      claimMs: round(claimedMs, 1),
      cpuMs: round((used.user + used.system) / 1000, 1),
      // The double stamps calls on real time; the fire was due at real time fireAt - shift.
      firstLaunchAfterFireMs: launched[0] ? round(launched[0].at - (fireAt - shift), 1) : null,
      spreadMs,
      runTaskCalls: calls.length,
      launched: launched.length,
      throttled: calls.filter((c) => c.error === 'ThrottlingException').length,
      otherErrors: calls.filter((c) => c.error && c.error !== 'ThrottlingException').length,
      maxLaunchesInOneSecond: Math.max(0, ...perSecond),
      runsByStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
      floor: { fargateSeconds: fargateFloorS, configuredRateSeconds: round(configuredFloorS) },
      ratioToFargateFloor: fargateFloorS > 0 ? round(spreadMs / 1000 / fargateFloorS, 2) : null,
      ratioToConfiguredRate: configuredFloorS > 0 ? round(spreadMs / 1000 / configuredFloorS, 2) : null,
    };
  } finally {
    await service.stop();
  }
}
