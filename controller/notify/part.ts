import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PoolSet } from '../db/pools.js';
import type { PassListener } from '../engine/controller.js';
import type { SecretsApi } from '../providers/types.js';
import type { BackgroundPart, RuntimePart } from '../runtime.js';
import type { SourceSnapshot } from '../source/types.js';
import { Notifier } from './notifier.js';
import type { SnsPublisher } from './senders.js';
import { buildSnsClient, snsPublisher } from './sns.js';

/** What notifications need from the controller they run in. */
export interface NotifyContext {
  config: Readonly<Config>;
  log: Logger;
  /** Collection and delivery are background work: they use the scheduler's pool, never the reconciler's. */
  pools: Pick<PoolSet, 'scheduler'>;
  store: { getState<T>(key: string): Promise<T | undefined>; setState(key: string, value: unknown): Promise<void> };
  loop: { onPass(listener: PassListener): void; readonly appliedSnapshot: SourceSnapshot | undefined };
  provider: { name: string; secrets: Pick<SecretsApi, 'getValue'> };
  now: () => number;
  random?: () => number;
  /** Test seam: SNS for sns channels (on AWS, built from the configuration). */
  sns?: SnsPublisher;
}

/** Where a channel's `secretRef.name` is read from. */
export const notificationSecret = (prefix: string, name: string) => `${prefix}/notifications/${name}`;

/** How often the outbox is looked at for retries that came due, besides right after each pass. */
const DELIVERY_INTERVAL_MS = 15_000;

export function createNotifier(ctx: NotifyContext): Notifier {
  const sns = ctx.sns ?? (ctx.provider.name === 'aws' ? snsPublisher(buildSnsClient(ctx.config)) : undefined);
  return new Notifier({
    pool: ctx.pools.scheduler,
    log: ctx.log.child({ component: 'notifications' }),
    config: ctx.config.notify,
    channels: () => ctx.loop.appliedSnapshot?.channels ?? [],
    state: ctx.store,
    senders: { secret: (name) => ctx.provider.secrets.getValue(notificationSecret(ctx.config.aws.secretsPrefix, name)), sns, now: ctx.now },
    now: ctx.now,
    random: ctx.random ?? Math.random,
  });
}

/**
 * Notifications, as `tenantctl run` starts them: after each pass the new events go into the outbox (a few
 * statements, awaited) and a delivery round starts (not awaited: a slow receiver never holds up a pass).
 */
export const notifyPart: RuntimePart<NotifyContext, BackgroundPart> = {
  name: 'notifications',
  async start(ctx) {
    const notifier = createNotifier(ctx);
    await notifier.prime();
    const log = ctx.log.child({ component: 'notifications' });
    const deliver = () => void notifier.deliverDue().catch((error) => log.error({ err: error }, 'notification delivery round failed'));
    ctx.loop.onPass(async () => {
      await notifier.collect();
      deliver();
    });
    const timer = setInterval(deliver, DELIVERY_INTERVAL_MS);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await notifier.idle();
      },
      idle: () => notifier.idle(),
    };
  },
};
