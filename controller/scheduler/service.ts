import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { desiredTenant, withRecordedIsolation } from '../desired/tenant.js';
import type { DesiredTenant } from '../desired/types.js';
import type { Pool } from '../db/pool.js';
import type { PoolSet } from '../db/pools.js';
import type { ControllerLoop } from '../engine/controller.js';
import type { PlannedPass } from '../engine/reconciler.js';
import { digestRecipientsEnv } from './run-env.js';
import { publicUrlOf } from '../integrations/index.js';
import { recordRunRefusals } from '../integrations/run-refusals.js';
import { OptOuts, unsubscribeEndpoint } from '../integrations/unsubscribe.js';
import { IntegrationStore } from '../integrations/store.js';
import { StatusStore } from '../status/store.js';
import { BudgetGate } from '../usage/budget.js';
import { meterRun } from '../usage/ledger.js';
import { Dispatcher } from './dispatcher.js';
import { RunHistory } from './history.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { secretsRoot } from '../../contract/names.js';
import type { DesiredContext } from '../desired/types.js';
import type { Provider, SecretsApi } from '../providers/types.js';
import type { Launcher, LauncherFactory } from './launcher.js';
import { byIsolation, pooledLauncher } from '../pool/launcher.js';
import { PoolQueue } from '../pool/queue.js';
import { LeaderElector, LeaderLease } from './lease.js';
import { RunPoller } from './poller.js';
import { AwsReachability } from './reachability.js';
import { Scheduler } from './scheduler.js';
import { SecretArns } from './secret-arns.js';
import { manifestSchedules, schedulesOf, type ScheduledTenant, type TenantSchedules } from './slots.js';
import { scheduledSecretNames } from './entries.js';
import { realTimer, repeat, type Repeating, type Timer } from './timer.js';

/** Injected parts; each defaults to the real one. */
export interface SchedulerSeams {
  /** Instead of a new one from the context's factory. */
  launcher?: Launcher;
  timer?: Timer;
  holder?: string;
  /** Jitter of launch retries. */
  random?: () => number;
  tickMs?: number;
  pollMs?: number;
}

export interface SchedulerService {
  history: RunHistory;
  launcher: Launcher;
  dispatcher: Dispatcher;
  scheduler: Scheduler;
  poller: RunPoller;
  elector: LeaderElector;
  /** Feeds desired state in (the pass listener does this after every pass, with the manifests it derived them from). */
  update(tenants: Iterable<ScheduledTenant>): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What the scheduler needs from the controller: the configuration, the launcher factory, the provider's
 * secret listing (ARNs for run environments), the database, and the loop's passes for desired state.
 */
export interface SchedulerContext {
  config: Readonly<Config>;
  log: Logger;
  /** The ARNs of tenants' secrets: listed once, else derived. */
  provider: Pick<Provider, 'secretArn'> & { secrets: Pick<SecretsApi, 'list'> };
  desiredContext: DesiredContext;
  now: () => number;
  launcher: LauncherFactory;
  pool: Pool;
  /** The run history uses pools.scheduler, the lease pools.lease: neither waits behind a pass or the API. */
  pools: Pick<PoolSet, 'scheduler' | 'lease'>;
  loop: Pick<ControllerLoop, 'onPass' | 'appliedSnapshot'>;
}

/** The scheduler of one replica: lease → (while leader) ticks and task polling; desired state from every pass. */
export function createSchedulerService(ctx: SchedulerContext, seams: SchedulerSeams = {}): SchedulerService | { problem: string } {
  const log = ctx.log.child({ component: 'scheduler' });
  const base = seams.launcher ?? ctx.launcher();
  if ('problem' in base) return { problem: base.problem };
  // Pooled tenants' runs go to the pooled workers' queue; silo runs to the provider's launcher.
  const launcher = byIsolation(base, pooledLauncher(new PoolQueue(ctx.pools.scheduler, ctx.now)));
  const arns = new SecretArns(ctx.provider.secrets, secretsRoot(ctx.config.aws.secretsPrefix), (name) => ctx.provider.secretArn(name), ctx.log);
  const history = new RunHistory(ctx.pools.scheduler);
  const store = new StatusStore(ctx.pools.scheduler);
  const refusals = { store: new IntegrationStore(ctx.pools.scheduler), events: store, log };
  const optOuts = new OptOuts(ctx.pools.scheduler, ctx.now);
  const poller = new RunPoller({
    history, launcher, now: ctx.now, log,
    onFinished: async (run, state) => void (await meterRun(ctx.pools.scheduler, run, state)),
    onFailed: async (run, state) => void (await recordRunRefusals(refusals, run, state.exitCode)),
  });
  const gate = new BudgetGate({ pool: ctx.pools.scheduler, store, prices: ctx.config.usage.prices, now: ctx.now, log });
  const dispatcher = new Dispatcher({
    history, launcher, arns, now: ctx.now, log, settle: (runs) => poller.settle(runs), budget: (entry) => gate.check(entry.tenant, entry.agent, entry.limits),
    random: seams.random ?? Math.random,
    outcomes: launcher.awsBacked ? new AwsReachability({ store, now: ctx.now, log }) : undefined,
    recipients: async (entry): Promise<Record<string, string>> => {
      if (entry.recipients.length === 0) return {};
      const { recipients, signatures } = await optOuts.recipients(entry.tenant, entry.recipients);
      return digestRecipientsEnv(recipients, signatures, unsubscribeEndpoint(publicUrlOf(ctx.config)));
    },
  });
  const scheduler = new Scheduler({ history, dispatcher, now: ctx.now, log, desiredContext: ctx.desiredContext });
  const lease = new LeaderLease(ctx.pools.lease, {
    name: 'scheduler', holder: seams.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, leaseMs: ctx.config.scheduler.leaseMs, now: ctx.now,
  });
  const onError = (error: unknown) => log.warn({ err: error }, 'scheduler step failed');
  const elector = new LeaderElector(lease, {
    onElected: () => {
      log.info({ holder: lease.options.holder }, 'leading: scheduling agent runs');
      scheduler.becomeLeader();
    },
    onDeposed: () => {
      log.warn({ holder: lease.options.holder }, 'no longer leading: scheduling stops');
      scheduler.resign();
      dispatcher.clear();
    },
  }, onError);
  const timer = seams.timer ?? realTimer;
  let loops: Repeating[] = [];
  let stopped = false;

  const update = async (tenants: Iterable<ScheduledTenant>) => {
    if (stopped) return;
    // The secrets' ARNs are listed again when a scheduled tenant has a secret not listed yet, seen as the states go by.
    let listed = true;
    await scheduler.update(seen(tenants, (desired) => void (listed &&= arns.knows(scheduledSecretNames(desired)))));
    if (!listed) await arns.list();
  };

  return {
    history, launcher, dispatcher, scheduler, poller, elector, update,
    async start() {
      ctx.loop.onPass((_report, pass) => update(passTenants(pass, ctx.desiredContext)));
      const snapshot = ctx.loop.appliedSnapshot;
      if (snapshot) {
        // As the passes derive it: a manifest without isolation keeps its tenant's recorded model.
        const recorded = new Map((await new StatusStore(ctx.pool).tenantSummaries()).map((k) => [k.name, k]));
        await update(snapshot.tenants.map((t) => ({ schedules: withRecordedIsolation(desiredTenant(t.manifest, ctx.desiredContext), t.manifest, recorded.get(t.name), ctx.desiredContext), origin: t })));
      }
      loops = [
        repeat(timer, () => elector.interval(), async () => void (await elector.step()), onError),
        repeat(timer, () => seams.tickMs ?? 1_000, () => scheduler.tick(), onError),
        repeat(timer, () => seams.pollMs ?? launcher.pollMs, async () => void (elector.leading && (await poller.poll())), onError),
      ];
    },
    async stop() {
      stopped = true;
      for (const loop of loops) await loop.stop();
      dispatcher.clear();
      await dispatcher.idle();
      // Local runs end with the controller; their exit is recorded before the lease is given up.
      await launcher.close();
      if (elector.leading) await poller.poll().catch(onError);
      await elector.resign();
    },
  };
}

/**
 * Every desired tenant of a pass, as its schedules read from its manifest with the model the pass
 * derived (what the pass kept of each tenant), and the manifest they come from: no desired state is
 * derived again after a pass.
 */
function* passTenants(pass: Pick<PlannedPass, 'snapshot' | 'desired'>, ctx: DesiredContext): Generator<ScheduledTenant> {
  for (const origin of pass.snapshot.tenants) {
    const planned = pass.desired.get(origin.name);
    if (planned) yield { schedules: manifestSchedules(origin.manifest, planned.isolation, ctx), origin };
  }
}

/** `tenants` as they are, telling `look` of each one's schedules on the way. */
function* seen(tenants: Iterable<ScheduledTenant>, look: (tenant: TenantSchedules) => void): Generator<ScheduledTenant> {
  for (const tenant of tenants) {
    look(schedulesOf(tenant));
    yield tenant;
  }
}
