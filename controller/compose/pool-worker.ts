import { GetSecretValueCommand, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import { POOL_LOGIN } from '../../contract/agent-env.js';
import type { DbCredentials } from '../../contract/db-credentials.js';
import { ConfigError } from '../../contract/errors.js';
import type { Config } from '../config.js';
import { poolSecretName } from '../pool/logins.js';
import { tenantCredentialVendor, type Vend } from '../pool/vend.js';
import { AwsCaller } from '../providers/aws/caller.js';
import { buildAwsClients, countCalls, type AwsClients } from '../providers/aws/clients.js';
import { passwordOfSecret } from '../providers/aws/db-password.js';
import { AdaptiveRateLimiter } from '../providers/aws/rate-limit.js';
import type { Launcher } from '../scheduler/launcher.js';
import { poolExecutorFor, type LaunchTiming } from './launchers.js';

/** The clients a pooled worker uses: STS to vend, Secrets Manager to read the pool's login. */
export type PoolWorkerClients = Pick<AwsClients, 'sts' | 'secrets'>;

export interface PoolWorkerPlatformDeps extends LaunchTiming {
  log: Logger;
  /** The worker's database (its own login): a run gets it without user and password. */
  databaseUrl: string;
  /** Prebuilt SDK clients (tests); built from the configuration when absent. */
  clients?: PoolWorkerClients;
  /** Called once the call counter is installed (tests attach the AWS double here). */
  onClients?: (clients: PoolWorkerClients) => void;
}

/** What the AWS side gives a pooled worker. */
export interface PoolWorkerPlatform {
  /** Tenant-scoped credentials for one run: sts:AssumeRole on the shared tenant-access role, tagged with the tenant. */
  vend: Vend;
  /** The pool's database login, which every pooled run logs in with (the controller made it). */
  poolLogin(): Promise<DbCredentials>;
  /** Runs one pooled job as a child process with only the run's environment. */
  executor(login: DbCredentials): Launcher;
  /** Calls made so far, by `service:Operation`. */
  callCounts(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * The composition root of a pooled worker on AWS (`tenantctl pool-worker`): its SDK clients, every
 * call counted like the controller's, the vend on OPENCLAW_TENANT_ACCESS_ROLE_ARN, and the executor
 * of runs. The worker's own credentials serve STS and the login's secret only; a run never gets them.
 */
export function createPoolWorkerPlatform(config: Readonly<Config>, deps: PoolWorkerPlatformDeps): PoolWorkerPlatform {
  const roleArn = config.pool.tenantAccessRoleArn;
  if (config.provider !== 'aws') throw new ConfigError('OPENCLAW_PROVIDER: the pooled worker service runs on aws (allowed: aws; locally `tenantctl run` starts OPENCLAW_POOL_WORKERS workers)');
  if (!roleArn) throw new ConfigError('OPENCLAW_TENANT_ACCESS_ROLE_ARN: required by the pooled workers (allowed: the tenant_access_role_arn output of the Terraform stack)');
  const clients: PoolWorkerClients = deps.clients ?? (({ sts, secrets }) => ({ sts, secrets }))(buildAwsClients(config));
  const counts = new Map<string, number>();
  countCalls(clients, counts);
  deps.onClients?.(clients);
  const caller = new AwsCaller({ limiter: new AdaptiveRateLimiter({ now: deps.now, sleep: deps.sleep }), random: deps.random, sleep: deps.sleep, log: deps.log.child({ component: 'aws' }) });
  return {
    vend: tenantCredentialVendor({ sts: clients.sts, roleArn, durationSeconds: config.pool.credentialSeconds }),
    async poolLogin() {
      const name = poolSecretName(config.aws.secretsPrefix, 'pool');
      const output = await caller.send('secretsmanager', clients.secrets, new GetSecretValueCommand({ SecretId: name }));
      return { username: POOL_LOGIN, password: passwordOfSecret(name, output.SecretString) };
    },
    executor: (login) => poolExecutorFor(config, login, deps.databaseUrl, deps),
    callCounts: () => Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1))),
    async close() {
      clients.sts.destroy();
      clients.secrets.destroy();
    },
  };
}
