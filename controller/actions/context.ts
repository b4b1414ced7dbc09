import type { ControllerLoop } from '../engine/controller.js';
import type { Provider } from '../providers/types.js';
import type { SchedulerContext } from '../scheduler/service.js';
import type { ManifestSource } from '../source/types.js';
import type { StatusStore } from '../status/store.js';

/** What the operator actions need from the controller they act on (the CLI's and the ops server's are the same). */
export interface ActionContext extends SchedulerContext {
  provider: Pick<Provider, 'secrets' | 'secretArn' | 'credentials'>;
  store: StatusStore;
  loop: ControllerLoop;
  source: ManifestSource;
  sleep: (ms: number) => Promise<void>;
}
