import type { ECSClient } from '@aws-sdk/client-ecs';
import { AGENT_ENV } from '../../agents/runtime/contract.js';
import { AdaptiveRateLimiter } from '../providers/aws/rate-limit.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { secretsRoot } from '../desired/names.js';
import type { DesiredContext } from '../desired/types.js';
import type { Provider } from '../providers/types.js';
import { buildEcsClient, ecsCaller } from './ecs-client.js';
import { ecsLauncher } from './ecs-launcher.js';
import type { Launcher } from './launcher.js';
import { localLauncher } from './local-launcher.js';
import { SecretArns } from './secret-arns.js';

export interface LauncherDeps {
  ecsClient?: ECSClient;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** What building a launcher needs: the configuration, the provider's credentials and secrets, where the database is. */
export interface LauncherContext {
  config: Readonly<Config>;
  log: Logger;
  provider: Pick<Provider, 'name' | 'credentials' | 'secrets'>;
  desiredContext: DesiredContext;
  database: { url: string };
  now: () => number;
}
type Ctx = LauncherContext;

/** Environment common to every run: log level, and the model when Bedrock is configured. No secrets. */
function baseEnv(ctx: Ctx): Record<string, string> {
  const { config } = ctx;
  return {
    [AGENT_ENV.logLevel]: config.logLevel,
    ...(config.bedrockModelId ? { [AGENT_ENV.modelId]: config.bedrockModelId } : {}),
    ...(config.aws.region ? { AWS_REGION: config.aws.region } : {}),
  };
}

/** The launcher of the provider in use: ECS RunTask for aws, child processes for local. Undefined when aws lacks a cluster. */
export function createLauncher(ctx: Ctx, deps: LauncherDeps): { launcher?: Launcher; pace?: () => Promise<void>; problem?: string } {
  const { config } = ctx;
  if (ctx.provider.name === 'aws') {
    if (!config.ecs.cluster) return { problem: 'OPENCLAW_ECS_CLUSTER is not set: agents are not scheduled' };
    const caller = ecsCaller({ launchesPerSecond: config.scheduler.launchesPerSecond, now: ctx.now, sleep: deps.sleep, random: deps.random, log: ctx.log.child({ component: 'ecs' }) });
    return {
      launcher: ecsLauncher({
        client: deps.ecsClient ?? buildEcsClient(config),
        caller,
        cluster: config.ecs.cluster,
        subnets: config.ecs.subnets,
        securityGroups: config.ecs.securityGroups,
        taskDefinitionPrefix: config.ecs.taskDefinitionPrefix,
        baseEnv: { ...baseEnv(ctx), [AGENT_ENV.provider]: 'aws', [AGENT_ENV.bucket]: config.aws.tenantBucket },
      }),
    };
  }
  const rate = config.scheduler.launchesPerSecond;
  const limiter = new AdaptiveRateLimiter({ now: ctx.now, sleep: deps.sleep, limits: { 'local:launch': { perSecond: rate, burst: rate } } });
  return {
    launcher: localLauncher({
      dataDir: config.dataDir,
      bucket: config.aws.tenantBucket,
      databaseUrl: ctx.database.url,
      credentials: ctx.provider.credentials,
      baseEnv: baseEnv(ctx),
      now: ctx.now,
    }),
    pace: () => limiter.acquire('local:launch'),
  };
}

/** Secret ARNs for run environments: listed from the provider, else derived from the name. */
export function secretArns(ctx: Ctx): SecretArns {
  const { partition, region, accountId } = ctx.desiredContext;
  const fallback = ctx.provider.name === 'aws'
    ? (name: string) => `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}`
    : (name: string) => `local:secret:${name}`;
  return new SecretArns(ctx.provider.secrets, secretsRoot(ctx.config.aws.secretsPrefix), fallback, ctx.log);
}
