/** Registers the status server with `tenantctl run`: imported for its effect by controller/cli/run.ts. */
import { registerRuntimePart } from '../runtime.js';
import { startStatusServer } from './http.js';

registerRuntimePart({
  name: 'status-http',
  async start(ctx) {
    const server = await startStatusServer(ctx);
    return { stop: () => server.close() };
  },
});
