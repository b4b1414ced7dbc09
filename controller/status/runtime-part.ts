import type { RuntimePart } from '../runtime.js';
import { startStatusServer, type StatusServerContext } from './http.js';

/** The status server, as `tenantctl run` starts it. */
export const statusPart: RuntimePart<StatusServerContext> = {
  name: 'status-http',
  async start(ctx) {
    const server = await startStatusServer(ctx);
    return { stop: () => server.close() };
  },
};
