import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENTS } from '../../contract/catalog.js';
import { AGENT_ENV } from '../../contract/agent-env.js';
import type { DbCredentialStore, SecretsApi } from '../providers/types.js';
import { capacityProviderFor, type ScheduleEntry } from './entries.js';
import { isIntegrationProvider, pooledIntegrationText, type IntegrationProviderName } from '../../contract/integration-secret.js';
import { LaunchError, type Launcher, type TaskResources, type TaskState } from './launcher.js';
import { agentIdentity } from './local-identity.js';
import { databaseUrlWithoutCredentials } from './run-env.js';
import { isProcessAlive } from '../processes.js';

export interface LocalLauncherOptions {
  dataDir: string;
  bucket: string;
  /** The controller's database; the run gets it without user and password. */
  databaseUrl: string;
  credentials: Pick<DbCredentialStore, 'get'>;
  /** Where the tenants' integration secrets are read, to hand their values to a run (it has no task role to read them with). */
  integrationSecrets?: Pick<SecretsApi, 'getValue'>;
  /** Environment common to every run (log level, model); no secrets. */
  baseEnv?: Record<string, string>;
  /** Where `agents/run.ts` lives (the repository root). */
  cwd?: string;
  now: () => number;
  /** Waits for a launch slot (the configured launches per second). */
  pace?: () => Promise<void>;
  /**
   * `aws`: the pooled workers' executor on AWS. The run reaches S3 and Secrets Manager with the
   * credentials in its own environment (vended for its tenant), not through the data directory, and
   * writes its log lines to the worker's output. As root (the worker's container), each tenant's runs
   * use a uid of their own, so a run can read neither the worker's environment nor another tenant's run's.
   */
  provider?: 'local' | 'aws';
}

interface Child {
  process: ChildProcess;
  startedAt: number;
  /** Sized as its ECS task would be (the catalog's cpu and memory), for usage metering. */
  resources: TaskResources;
  exited?: { code: number; at: number };
  done: Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Under tsx (the repository, no build), ROOT holds the TypeScript sources; compiled, the JavaScript. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const INHERITED = ['PATH', 'HOME', 'LANG', 'TZ', 'SYSTEMROOT', 'TMPDIR'];
const taskArnOf = (pid: number) => `local:pid/${pid}`;
const pidOf = (taskArn: string) => Number(/^local:pid\/(\d+)$/.exec(taskArn)?.[1] ?? NaN);

/**
 * Runs agents as child processes, `node agents/run.js <agent>` as in the catalog (from source, the same
 * entry in TypeScript through tsx: `node --import tsx agents/run.ts <agent>`), with the
 * same environment as an ECS task plus the tenant's runtime credentials (the local provider has no task
 * role to read the secret with), and nothing else of the controller's. As root, each tenant's runs use a
 * user of their own (local-identity.ts). Output goes to `<dataDir>/runs/<run-id>.log`.
 */
export function localLauncher(options: LocalLauncherOptions): Launcher & { wait(taskArn: string): Promise<void> } {
  const children = new Map<string, Child>();
  return {
    name: 'the local launcher',
    pollMs: 2_000,
    ...(options.pace ? { pace: options.pace } : {}),
    async launch({ runId, entry, env }) {
      const credentials = await options.credentials.get(entry.tenant);
      const integrations = await integrationValues(options.integrationSecrets, entry);
      if (!credentials) throw new LaunchError(`tenant ${entry.tenant} has no runtime database credentials yet`);
      // On AWS (the pooled workers) a run's log lines go where the worker's go: the service's log stream.
      const fd = options.provider === 'aws' ? 'inherit' : runLog(options.dataDir, runId);
      const [command, ...args] = runnable(AGENTS[entry.agent].command);
      const inherited = Object.fromEntries(INHERITED.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
      // As root: the tenant's own unprivileged user, which cannot read the key or other tenants' folders.
      const identity = await agentIdentity(options.dataDir, options.bucket, entry.tenant);
      const child = spawn(command === 'node' ? process.execPath : command, args, {
        cwd: options.cwd ?? ROOT,
        stdio: ['ignore', fd, fd],
        ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
        // An explicit, minimal environment: never the controller's DATABASE_URL, AWS keys or secret-store key.
        env: {
          ...inherited, ...(identity ? { HOME: identity.home } : {}), ...options.baseEnv, ...env,
          [AGENT_ENV.provider]: options.provider ?? 'local',
          ...(options.provider === 'aws' ? {} : { [AGENT_ENV.dataDir]: options.dataDir }),
          [AGENT_ENV.bucket]: options.bucket,
          DATABASE_URL: databaseUrlWithoutCredentials(options.databaseUrl),
          [AGENT_ENV.dbCredentials]: JSON.stringify({ username: credentials.username, password: credentials.password }),
          ...(integrations ? { [AGENT_ENV.integrationSecrets]: JSON.stringify(integrations) } : {}),
        },
      });
      if (typeof fd === 'number') closeSync(fd);
      if (child.pid === undefined) throw new LaunchError(`could not start ${command}`);
      const { cpu, memory } = AGENTS[entry.agent];
      const resources: TaskResources = { vcpu: cpu / 1024, memoryGb: memory / 1024, capacity: capacityProviderFor(entry.tier) === 'FARGATE_SPOT' ? 'spot' : 'on-demand' };
      const record: Child = { process: child, startedAt: options.now(), resources, done: Promise.resolve() };
      record.done = new Promise((resolve) => {
        child.on('exit', (code, signal) => {
          record.exited = { code: code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0), at: options.now() };
          resolve();
        });
        child.on('error', () => {
          record.exited ??= { code: 127, at: options.now() };
          resolve();
        });
      });
      const taskArn = taskArnOf(child.pid);
      children.set(taskArn, record);
      return { taskArn };
    },
    async stop(taskArn) {
      const own = children.get(taskArn);
      if (own) own.process.kill('SIGTERM');
      else if (isProcessAlive(pidOf(taskArn))) process.kill(pidOf(taskArn), 'SIGTERM');
    },
    async describe(taskArns) {
      return taskArns.map((taskArn): TaskState => {
        if (!taskArn.startsWith('local:')) return { taskArn, status: 'foreign' };
        const own = children.get(taskArn);
        if (own?.exited) {
          children.delete(taskArn);
          const { code, at } = own.exited;
          return { taskArn, status: 'stopped', exitCode: code, startedAt: own.startedAt, stoppedAt: at, reason: code === 0 ? undefined : `agent exited with ${code}`, resources: own.resources };
        }
        if (own || isProcessAlive(pidOf(taskArn))) return { taskArn, status: 'running' };
        return { taskArn, status: 'missing', reason: 'the process ended while no controller was watching it' };
      });
    },
    async wait(taskArn) {
      await children.get(taskArn)?.done;
    },
    async close() {
      for (const child of children.values()) if (!child.exited) child.process.kill('SIGTERM');
      await Promise.all([...children.values()].map((c) => c.done));
    },
  };
}

/** `<dataDir>/runs/<run id>.log`, opened for the child's output. */
function runLog(dataDir: string, runId: string): number {
  const logs = join(dataDir, 'runs');
  mkdirSync(logs, { recursive: true });
  return openSync(join(logs, `${runId}.log`), 'a', 0o600);
}

/**
 * The values of the run's integration secrets that hold one, by provider; undefined when none does. A
 * pooled tenant's are read from its one secret, each handed on as its own secret's text.
 */
async function integrationValues(secrets: Pick<SecretsApi, 'getValue'> | undefined, entry: Pick<ScheduleEntry, 'isolation' | 'integrationSecrets'>): Promise<Record<string, string> | undefined> {
  if (!secrets) return undefined;
  const values: Record<string, string> = {};
  const read = new Map<string, Promise<string | undefined>>();
  for (const { provider, name } of entry.integrationSecrets) {
    // A secret not created yet, or scheduled for deletion: the run goes without that integration.
    if (!read.has(name)) read.set(name, secrets.getValue(name).catch(() => undefined));
    const text = await read.get(name)!;
    const value = entry.isolation === 'pool' && isIntegrationProvider(provider) ? pooledValue(text, provider) : text;
    if (value) values[provider] = value;
  }
  return Object.keys(values).length > 0 ? values : undefined;
}

/** One integration out of a pooled document; a document someone else wrote reads as none. */
function pooledValue(text: string | undefined, provider: IntegrationProviderName): string | undefined {
  try {
    return pooledIntegrationText(text, provider);
  } catch {
    return undefined;
  }
}

/** The catalog's command (compiled JavaScript, as in the image), or from source its TypeScript entry through tsx. */
function runnable(command: readonly string[]): readonly string[] {
  const [program, entry, ...args] = command;
  if (!FROM_SOURCE || program !== 'node' || !entry?.endsWith('.js')) return command;
  return [program, '--import', 'tsx', entry.replace(/\.js$/, '.ts'), ...args];
}
