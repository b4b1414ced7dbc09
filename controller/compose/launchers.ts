import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from 'pino';
import { AGENT_ENV, CONNECTOR_API_URL_ENV, CONNECTOR_LIMIT_NAMES, CONNECTOR_LIMITS } from '../../contract/agent-env.js';
import { INTEGRATION_PROVIDERS } from '../../contract/integration-secret.js';
import type { Config } from '../config.js';
import { AdaptiveRateLimiter } from '../providers/aws/rate-limit.js';
import type { DbCredentials } from '../../contract/db-credentials.js';
import { credentialFingerprint } from '../providers/credentials.js';
import type { DbCredentialStore, SecretsApi } from '../providers/types.js';
import { ecsCaller } from '../scheduler/ecs-client.js';
import { ecsLauncher } from '../scheduler/ecs-launcher.js';
import type { Launcher } from '../scheduler/launcher.js';
import { localLauncher } from '../scheduler/local-launcher.js';

/** What pacing and retrying launches needs: the clock, sleeping and jitter. */
export interface LaunchTiming {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/**
 * Each provider's API base URL as the connectors reach it: the configured (or public) one, or the
 * sandbox's (on 127.0.0.1: `localhost` may resolve to ::1 first, where the sandbox does not listen).
 */
export function connectorApiUrls(config: Pick<Config, 'integrations' | 'publicFace'>): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of INTEGRATION_PROVIDERS) {
    const entry = config.integrations[name];
    const url = entry.mode === 'real' ? entry.endpoints.apiUrl
      : entry.mode === 'sandbox' ? entry.endpoints?.apiUrl ?? `http://127.0.0.1:${config.publicFace.sandboxPort}/${name}` : undefined;
    if (url) urls[CONNECTOR_API_URL_ENV[name]] = url;
  }
  return urls;
}

/** Environment common to every run: log level, the model and region when configured, the email sender, the connectors' APIs and bounds. No secrets. */
function baseEnv(config: Readonly<Config>): Record<string, string> {
  return {
    ...connectorApiUrls(config),
    ...Object.fromEntries(CONNECTOR_LIMIT_NAMES.map((key) => [CONNECTOR_LIMITS[key].env, String(config.connectors[key])])),
    [AGENT_ENV.logLevel]: config.logLevel,
    ...(config.bedrockModelId ? { [AGENT_ENV.modelId]: config.bedrockModelId } : {}),
    ...(config.email.fromAddress ? { [AGENT_ENV.emailFrom]: config.email.fromAddress } : {}),
    ...(config.email.configurationSet ? { [AGENT_ENV.sesConfigurationSet]: config.email.configurationSet } : {}),
    ...(config.aws.region ? { AWS_REGION: config.aws.region } : {}),
  };
}

/** ECS RunTask on `client`, at the configured launch rate; a problem instead when no cluster is configured. */
export function ecsLauncherFor(config: Readonly<Config>, client: ECSClient, timing: LaunchTiming, log: Logger): Launcher | { problem: string } {
  if (!config.ecs.cluster) return { problem: 'OPENCLAW_ECS_CLUSTER is not set: agents are not scheduled' };
  return ecsLauncher({
    client,
    caller: ecsCaller({ launchesPerSecond: config.scheduler.launchesPerSecond, ...timing, log: log.child({ component: 'ecs' }) }),
    cluster: config.ecs.cluster,
    subnets: config.ecs.subnets,
    securityGroups: config.ecs.securityGroups,
    taskDefinitionPrefix: config.ecs.taskDefinitionPrefix,
    baseEnv: { ...baseEnv(config), [AGENT_ENV.provider]: 'aws', [AGENT_ENV.bucket]: config.aws.tenantBucket },
  });
}

/** Every run logs in with the pool's login (bound to its tenant by its grant). */
const asPool = (login: DbCredentials): Pick<DbCredentialStore, 'get'> => ({ get: async () => ({ ...login, fingerprint: credentialFingerprint(login.password) }) });

/**
 * What runs a pooled worker's jobs: child processes logged in as the pool. Locally a run gets its
 * integrations' values (`integrationSecrets`); on AWS it reaches the bucket and its secret itself, with
 * the credentials the worker vended for it, which are in its environment.
 */
export function poolExecutorFor(
  config: Readonly<Config>, login: DbCredentials, databaseUrl: string, timing: Pick<LaunchTiming, 'now' | 'sleep'>,
  integrationSecrets?: Pick<SecretsApi, 'getValue'>,
  /** Where `agents/run.ts` lives: the repository root by default. */
  agentsRoot?: string,
): Launcher {
  if (config.provider === 'local') return localLauncherFor(config, asPool(login), databaseUrl, timing, integrationSecrets);
  return localLauncher({
    dataDir: config.dataDir, bucket: config.aws.tenantBucket, databaseUrl, credentials: asPool(login), cwd: agentsRoot,
    // An AWS-compatible endpoint the worker uses (an emulator) is the runs' too.
    baseEnv: { ...baseEnv(config), ...(config.aws.endpointUrl ? { AWS_ENDPOINT_URL: config.aws.endpointUrl } : {}) }, now: timing.now, provider: 'aws',
  });
}

/** Child processes on this machine, paced at the configured launch rate; the tenant's credentials from `credentials`. */
export function localLauncherFor(
  config: Readonly<Config>, credentials: Pick<DbCredentialStore, 'get'>, databaseUrl: string, timing: Pick<LaunchTiming, 'now' | 'sleep'>,
  integrationSecrets?: Pick<SecretsApi, 'getValue'>,
): Launcher {
  const rate = config.scheduler.launchesPerSecond;
  const limiter = new AdaptiveRateLimiter({ now: timing.now, sleep: timing.sleep, limits: { 'local:launch': { perSecond: rate, burst: rate } } });
  return localLauncher({
    dataDir: config.dataDir,
    bucket: config.aws.tenantBucket,
    databaseUrl,
    credentials,
    integrationSecrets,
    baseEnv: baseEnv(config),
    now: timing.now,
    pace: () => limiter.acquire('local:launch'),
  });
}
