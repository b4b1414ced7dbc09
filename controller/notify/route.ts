import type { LoadedChannel } from '../manifests/types.js';
import type { Pool } from '../db/pool.js';
import { sendJson } from '../status/reply.js';
import type { StatusRoute } from '../status/route.js';
import { channelDeliveries } from './notifier.js';
import { Outbox } from './outbox.js';

/** GET /api/notifications: every channel of the revision in force, what waits, went, failed or was dropped, and the last error. */
export function notificationsRoute(ctx: { pools: { api: Pool }; loop: { readonly appliedSnapshot: { channels?: LoadedChannel[] } | undefined }; now: () => number }): StatusRoute {
  return {
    method: 'GET', url: '/api/notifications', access: 'read',
    async handler(_request, reply) {
      // Only reads: the dedup window and limit do not matter here.
      const outbox = new Outbox(ctx.pools.api, { dedupWindowMs: 0, limit: 0, now: ctx.now });
      sendJson(reply, 200, { channels: channelDeliveries(ctx.loop.appliedSnapshot?.channels ?? [], await outbox.deliveries()) });
    },
  };
}
