import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ResourceModule } from '../engine/types.js';
import { buildAwsClients, type AwsClients } from '../providers/aws/clients.js';
import { createAwsProvider } from '../providers/aws/provider.js';
import { createLocalProvider } from '../providers/local/provider.js';
import type { Provider } from '../providers/types.js';
import type { Launcher, LauncherFactory } from '../scheduler/launcher.js';
import type { DbCredentials } from '../../contract/db-credentials.js';
import { ecsLauncherFor, localLauncherFor, poolExecutorFor, type LaunchTiming } from './launchers.js';
import { cloudModules, type CloudModuleSettings } from './modules.js';
import type { IntegrationLock } from '../resources/secrets/vault.js';

export interface PlatformDeps extends LaunchTiming {
  log: Logger;
  /** The controller's database: a local run gets it without user and password. */
  databaseUrl: string;
  /** The tenants' integration lock, held while a tier change moves a tenant's tokens. */
  integrationLock: IntegrationLock;
  /** Revokes a tenant's grant at the provider before its integration secret is deleted (purge). */
  revokeGrant?: CloudModuleSettings['revokeGrant'];
  /** A provider built by the caller (tests); built from the configuration when absent. */
  provider?: Provider;
  /** The SDK clients (aws); built from the configuration when absent. */
  clients?: AwsClients;
  /** Called with the AWS SDK clients once their calls are counted (tests attach the AWS double here). */
  onClients?: (clients: AwsClients) => void;
}

/** What the configured cloud contributes to the controller. */
export interface Platform {
  provider: Provider;
  /** The resource modules of the kinds the provider backs, on its APIs. */
  modules: ResourceModule[];
  /** A new launcher of agent runs: ECS tasks (aws) or child processes (local). */
  launcher: LauncherFactory;
  /** What runs the pooled workers' jobs in this process: child processes logged in as the pool (local only). */
  poolExecutor?: (login: DbCredentials) => Launcher;
}

/**
 * The provider named by OPENCLAW_PROVIDER, the resource modules on its APIs and the launcher of agent
 * runs. With aws, one set of SDK clients serves both the provider and the ECS launcher, so ECS calls
 * are counted with the others.
 */
export async function createPlatform(config: Readonly<Config>, deps: PlatformDeps): Promise<Platform> {
  const providerLog = deps.log.child({ component: 'provider' });
  let launcher: LauncherFactory;
  let poolExecutor: Platform['poolExecutor'];
  let provider: Provider;
  if (config.provider === 'aws') {
    const clients = deps.clients ?? buildAwsClients(config);
    provider = deps.provider ?? await createAwsProvider(config, { log: providerLog, now: deps.now, random: deps.random, sleep: deps.sleep, clients, onClients: deps.onClients });
    launcher = () => ecsLauncherFor(config, clients.ecs, deps, deps.log);
  } else {
    provider = deps.provider ?? await createLocalProvider(config, { log: providerLog, now: deps.now });
    const credentials = provider.credentials;
    const secrets = provider.secrets;
    launcher = () => localLauncherFor(config, credentials, deps.databaseUrl, deps, secrets);
    poolExecutor = (login) => poolExecutorFor(config, login, deps.databaseUrl, deps, secrets);
  }
  const modules = cloudModules(provider, {
    secretsPrefix: config.aws.secretsPrefix, now: deps.now, secretRecoveryWindowDays: config.aws.secretRecoveryWindowDays, integrationLock: deps.integrationLock,
    revokeGrant: deps.revokeGrant,
  });
  return { provider, modules, launcher, poolExecutor };
}
