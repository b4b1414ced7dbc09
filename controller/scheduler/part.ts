import type { RuntimePart } from '../runtime.js';
import { createSchedulerService, type SchedulerContext, type SchedulerSeams } from './service.js';

/** Test seam, like cliOverrides: parts injected into the scheduler that `tenantctl run` starts. */
export const schedulerSeams: SchedulerSeams = {};

/** The agent scheduler, as `tenantctl run` starts it. */
export const schedulerPart: RuntimePart<SchedulerContext> = {
  name: 'scheduler',
  async start(ctx) {
    if (!ctx.config.scheduler.enabled) {
      ctx.log.info('scheduler disabled (OPENCLAW_SCHEDULER=false): agents are not run by this replica');
      return { stop: async () => {} };
    }
    const service = createSchedulerService(ctx, schedulerSeams);
    if ('problem' in service) {
      ctx.log.warn({ problem: service.problem }, 'scheduler not started');
      return { stop: async () => {} };
    }
    await service.start();
    return { stop: () => service.stop() };
  },
};
