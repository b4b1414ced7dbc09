// ECS's in-memory state: clusters, task definitions and tasks whose status follows the injected
// clock — PROVISIONING, then RUNNING, then STOPPED with an exit code — and which disappear an hour
// after stopping, as stopped tasks do in ECS.
import type { RunTaskCommandInput, Task } from '@aws-sdk/client-ecs';
import { TokenBucket, type Env, type RateLimit } from './options.js';
import { stoppedAt, taskView } from './ecs-view.js';
import { fail } from './errors.js';

export interface TaskOutcome {
  exitCode?: number;
  durationMs?: number;
  provisioningMs?: number;
  stoppedReason?: string;
}

export interface TaskMatcher {
  startedBy?: string | RegExp;
  family?: string;
  taskRoleArn?: string;
  /** Every listed variable must be set so in some container override. */
  env?: Record<string, string>;
}

export interface EcsTiming {
  provisioningMs: number;
  durationMs: number;
  exitCode: number;
  stoppedRetentionMs: number;
}

export interface EcsTaskRecord {
  id: string;
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  containerNames: string[];
  cpu: string;
  memory: string;
  input: RunTaskCommandInput;
  launchType: 'FARGATE' | 'EC2';
  capacityProviderName?: string;
  createdAt: number;
  provisioningMs: number;
  durationMs: number;
  exitCode: number;
  stoppedReason: string;
  stopCode: 'EssentialContainerExited' | 'UserInitiated';
  /** Set by StopTask: when the task stopped, and whether its containers had started. */
  stoppedAt?: number;
}

export interface TaskDefinitionRecord {
  family: string;
  revision: number;
  arn: string;
  containerNames: string[];
  cpu: string;
  memory: string;
}

/** RunTask remembers a client token for 24 hours, per cluster. */
export const CLIENT_TOKEN_TTL_MS = 24 * 3_600_000;

/** What RunTask remembers of a client token: the request it came with (without the token) and the tasks it started. */
interface ClientTokenRecord {
  request: string;
  taskArns: string[];
  at: number;
}

export class EcsState {
  readonly clusters = new Map<string, { clusterName: string; clusterArn: string; capacityProviders: string[] }>();
  /** Latest revision by family, and every revision by 'family:revision'. */
  readonly taskDefinitions = new Map<string, TaskDefinitionRecord>();
  readonly tasks = new Map<string, EcsTaskRecord>();
  timing: EcsTiming = { provisioningMs: 5_000, durationMs: 60_000, exitCode: 0, stoppedRetentionMs: 3_600_000 };
  private readonly clientTokens = new Map<string, ClientTokenRecord>();
  private outcomes: Array<{ matches: (input: RunTaskCommandInput) => boolean; outcome: TaskOutcome }> = [];
  private launchBucket?: TokenBucket;
  private rate: RateLimit = { perSecond: 20, burst: 100 };

  constructor(private readonly env: Env) {}

  private arn(kind: string, rest: string): string {
    return `arn:aws:ecs:${this.env.options.region}:${this.env.options.accountId}:${kind}/${rest}`;
  }

  createCluster(name: string, capacityProviders = ['FARGATE', 'FARGATE_SPOT']): string {
    const clusterArn = this.arn('cluster', name);
    this.clusters.set(name, { clusterName: name, clusterArn, capacityProviders });
    return clusterArn;
  }

  registerTaskDefinition(family: string, opts: { containerNames?: string[]; cpu?: string; memory?: string } = {}): string {
    const revision = (this.taskDefinitions.get(family)?.revision ?? 0) + 1;
    const td = {
      family,
      revision,
      arn: this.arn('task-definition', `${family}:${revision}`),
      containerNames: opts.containerNames ?? [family],
      cpu: opts.cpu ?? '256',
      memory: opts.memory ?? '512',
    };
    this.taskDefinitions.set(family, td);
    this.taskDefinitions.set(`${family}:${revision}`, td);
    return td.arn;
  }

  /** Changes the default provisioning time, run time, exit code or stopped-task retention. */
  configure(timing: Partial<EcsTiming> & { launchRate?: RateLimit }): void {
    const { launchRate, ...rest } = timing;
    this.timing = { ...this.timing, ...rest };
    if (launchRate) {
      this.rate = launchRate;
      this.launchBucket = undefined;
    }
  }

  /** Tasks started after this call that match get this outcome (the latest matching rule wins). */
  setOutcome(matcher: TaskMatcher | ((input: RunTaskCommandInput) => boolean), outcome: TaskOutcome): void {
    this.outcomes.unshift({ matches: typeof matcher === 'function' ? matcher : matcherFn(matcher), outcome });
  }

  outcomeFor(input: RunTaskCommandInput): Required<TaskOutcome> {
    const rule = this.outcomes.find((o) => o.matches(input))?.outcome ?? {};
    const { provisioningMs, durationMs, exitCode } = this.timing;
    return { provisioningMs, durationMs, exitCode, stoppedReason: 'Essential container in task exited', ...rule };
  }

  /** Fargate's task launch rate (burst 100, then 20 per second) on the injected clock. */
  takeLaunches(n: number): boolean {
    this.launchBucket ??= new TokenBucket(this.rate, this.env.now());
    return this.launchBucket.take(n, this.env.now());
  }

  /** The tasks a request with this client token started, when it is the same request; a ConflictException when not. */
  replay(clusterArn: string, input: RunTaskCommandInput): Task[] | undefined {
    if (!input.clientToken) return undefined;
    const key = `${clusterArn} ${input.clientToken}`;
    const seen = this.clientTokens.get(key);
    if (!seen || this.env.now() - seen.at > CLIENT_TOKEN_TTL_MS) return undefined;
    if (seen.request !== requestKey(input)) {
      fail('ConflictException', 'The specified client token is already in use with a different RunTask request.', 400, { resourceIds: seen.taskArns });
    }
    return seen.taskArns.flatMap((arn) => {
      const task = this.live().find((t) => t.taskArn === arn);
      return task ? [this.view(task, true)] : [];
    });
  }

  /** Remembers the tasks a RunTask with a client token started. */
  remember(clusterArn: string, input: RunTaskCommandInput, taskArns: string[]): void {
    if (input.clientToken) this.clientTokens.set(`${clusterArn} ${input.clientToken}`, { request: requestKey(input), taskArns, at: this.env.now() });
  }

  cluster(name: string | undefined) {
    const key = (name ?? 'default').replace(/^arn:aws:ecs:[^:]+:\d+:cluster\//, '');
    return this.clusters.get(key) ?? fail('ClusterNotFoundException', 'Cluster not found.');
  }

  /** Tasks still known to ECS (stopped ones are forgotten after the retention period). */
  live(): EcsTaskRecord[] {
    const now = this.env.now();
    for (const [arn, t] of this.tasks) {
      const stop = stoppedAt(t);
      if (stop <= now && now - stop > this.timing.stoppedRetentionMs) this.tasks.delete(arn);
    }
    return [...this.tasks.values()];
  }

  view(t: EcsTaskRecord, withTags: boolean): Task {
    return taskView(t, this.env.now(), withTags);
  }
}

/** The request without its client token, with keys in a fixed order: two requests compare equal when their parameters do. */
function requestKey(input: RunTaskCommandInput): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
  };
  const { clientToken: _token, ...rest } = input;
  return JSON.stringify(sorted(rest));
}

function matcherFn(m: TaskMatcher): (input: RunTaskCommandInput) => boolean {
  return (input) => {
    const sb = input.startedBy ?? '';
    if (m.startedBy !== undefined && !(typeof m.startedBy === 'string' ? sb === m.startedBy : m.startedBy.test(sb))) return false;
    if (m.family !== undefined && String(input.taskDefinition).split(':')[0].split('/').pop() !== m.family) return false;
    if (m.taskRoleArn !== undefined && input.overrides?.taskRoleArn !== m.taskRoleArn) return false;
    const vars = (input.overrides?.containerOverrides ?? []).flatMap((c) => c.environment ?? []);
    return Object.entries(m.env ?? {}).every(([k, v]) => vars.some((e) => e.name === k && e.value === v));
  };
}
