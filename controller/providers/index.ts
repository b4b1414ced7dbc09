import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createAwsProvider } from './aws/index.js';
import { createLocalProvider } from './local/index.js';
import type { Provider } from './types.js';

export interface ProviderDeps {
  log: Logger;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called with the AWS SDK clients once built (tests attach the AWS double here). */
  onClients?: (clients: Record<string, unknown>) => void;
}

/** The provider named by OPENCLAW_PROVIDER: AWS, or the local stand-ins for one machine. */
export function createProvider(config: Readonly<Config>, deps: ProviderDeps): Promise<Provider> {
  return config.provider === 'aws' ? createAwsProvider(config, deps) : createLocalProvider(config, deps);
}

export type { Provider } from './types.js';
