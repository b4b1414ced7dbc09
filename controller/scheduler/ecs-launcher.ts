import {
  ConflictException, DescribeTasksCommand, RunTaskCommand, StopTaskCommand,
  type DescribeTasksCommandOutput, type ECSClient, type RunTaskCommandInput, type RunTaskCommandOutput, type Task,
} from '@aws-sdk/client-ecs';
import { AGENT_CONTAINER } from '../../contract/catalog.js';
import { names } from '../../contract/names.js';
import { ControllerError, TerminalError, errorMessage } from '../../contract/errors.js';
import type { AwsCaller } from '../providers/aws/caller.js';
import { isNotFound } from '../providers/aws/errors.js';
import { capacityProviderFor } from './entries.js';
import { LaunchError, type Launcher, type LaunchRequest, type TaskResources, type TaskState } from './launcher.js';

export interface EcsLauncherOptions {
  client: ECSClient;
  caller: AwsCaller;
  cluster: string;
  subnets: readonly string[];
  securityGroups: readonly string[];
  taskDefinitionPrefix: string;
  /** Environment common to every run (database host, bucket, region, model); no secrets. */
  baseEnv?: Record<string, string>;
}

const DESCRIBE_BATCH = 100;
const MAX_TAGS = 50;
/** RunTask's limit on `overrides`, in characters of its JSON (formatting included). */
export const ECS_OVERRIDES_LIMIT = 8192;

/**
 * Refuses, before RunTask, overrides ECS would refuse: a run that cannot fit will not fit on the next
 * attempt either, so it fails at once, naming the variables that take the most room (never their values).
 */
export function checkOverridesSize(input: RunTaskCommandInput): void {
  const length = JSON.stringify(input.overrides ?? {}).length;
  if (length <= ECS_OVERRIDES_LIMIT) return;
  const largest = (input.overrides?.containerOverrides ?? []).flatMap((c) => c.environment ?? [])
    .map((v) => ({ name: v.name ?? '', size: (v.value ?? '').length }))
    .sort((a, b) => b.size - a.size).slice(0, 3)
    .map((v) => `${v.name} (${v.size})`).join(', ');
  throw new TerminalError('LIMIT_EXCEEDED', `the run's ECS overrides take ${length} characters (allowed: at most ${ECS_OVERRIDES_LIMIT}); the largest environment values: ${largest}`);
}

/** RunTask's input for one run: pure, so its parameters are tested without ECS. */
export function runTaskInput(request: LaunchRequest, options: Omit<EcsLauncherOptions, 'client' | 'caller'>): RunTaskCommandInput {
  const { entry, runId } = request;
  const environment = Object.entries({ ...options.baseEnv, ...request.env }).map(([name, value]) => ({ name, value }));
  const tags = Object.entries({ ...entry.tags, 'openclaw:agent': entry.agent, 'openclaw:run-id': runId })
    .slice(-MAX_TAGS)
    .map(([key, value]) => ({ key, value }));
  return {
    cluster: options.cluster,
    taskDefinition: `${options.taskDefinitionPrefix}${entry.agent}`,
    count: 1,
    // Idempotent: a run relaunched after a crash between RunTask and recording its ARN gets the same task.
    clientToken: runId,
    capacityProviderStrategy: [{ capacityProvider: capacityProviderFor(entry.tier), weight: 1 }],
    networkConfiguration: {
      awsvpcConfiguration: { subnets: [...options.subnets], securityGroups: [...options.securityGroups], assignPublicIp: 'DISABLED' },
    },
    overrides: { taskRoleArn: entry.roleArn, containerOverrides: [{ name: AGENT_CONTAINER, environment }] },
    startedBy: names.ecsStartedBy(entry.tenant, entry.agent).slice(0, 128),
    tags,
    enableECSManagedTags: true,
    propagateTags: 'NONE',
  };
}

/** The state of a task from DescribeTasks: exit code of the agent container, times, reason. */
export function taskState(task: Task): TaskState {
  const taskArn = task.taskArn ?? '';
  if (task.lastStatus !== 'STOPPED') return { taskArn, status: 'running' };
  const container = task.containers?.find((c) => c.name === AGENT_CONTAINER) ?? task.containers?.find((c) => c.exitCode !== undefined);
  const exitCode = container?.exitCode;
  return {
    taskArn,
    status: 'stopped',
    exitCode,
    startedAt: task.startedAt?.getTime(),
    stoppedAt: (task.executionStoppedAt ?? task.stoppedAt)?.getTime(),
    reason: exitCode === 0 ? undefined : [task.stoppedReason, container?.reason].filter(Boolean).join(': ') || undefined,
    resources: taskResources(task),
  };
}

/** vCPU and GB from the task's cpu units and MiB, Spot from its capacity provider; undefined when ECS did not say. */
export function taskResources(task: Task): TaskResources | undefined {
  const cpu = Number(task.cpu);
  const memory = Number(task.memory);
  if (!task.cpu || !task.memory || !Number.isFinite(cpu) || !Number.isFinite(memory)) return undefined;
  return {
    vcpu: cpu / 1024,
    memoryGb: memory / 1024,
    capacity: task.capacityProviderName === 'FARGATE_SPOT' ? 'spot' : 'on-demand',
    billedFrom: (task.pullStartedAt ?? task.startedAt)?.getTime(),
  };
}

/**
 * The task an earlier RunTask with this run's client token started, when ECS refuses the token because
 * the request differs (a configuration changed between attempts): that task is the run's, never a second.
 */
function tokenTask(error: unknown): string | undefined {
  const cause = error instanceof ControllerError ? error.cause : error;
  if (!(cause instanceof ConflictException)) return undefined;
  return cause.resourceIds?.[0];
}

export function ecsLauncher(options: EcsLauncherOptions): Launcher {
  const send = options.caller.bind('ecs', options.client);
  return {
    name: 'ECS',
    pollMs: 15_000,
    awsBacked: true,
    async launch(request) {
      let output: RunTaskCommandOutput;
      const input = runTaskInput(request, options);
      checkOverridesSize(input);
      try {
        output = await send(new RunTaskCommand(input));
      } catch (error) {
        const started = tokenTask(error);
        if (started) return { taskArn: started };
        throw error;
      }
      const taskArn = output.tasks?.[0]?.taskArn;
      if (!taskArn) {
        const failure = output.failures?.[0];
        throw new LaunchError(`RunTask started no task: ${failure?.reason ?? 'no reason given'}${failure?.detail ? ` (${failure.detail})` : ''}`);
      }
      return { taskArn };
    },
    async stop(taskArn, reason) {
      try {
        await send(new StopTaskCommand({ cluster: options.cluster, task: taskArn, reason: reason.slice(0, 255) }));
      } catch (error) {
        if (!isNotFound(error) && !/not found/i.test(errorMessage(error))) throw error;
      }
    },
    async describe(taskArns) {
      const states: TaskState[] = [];
      const ours = taskArns.filter((arn) => arn.startsWith('arn:'));
      for (const arn of taskArns) if (!arn.startsWith('arn:')) states.push({ taskArn: arn, status: 'foreign' });
      for (let i = 0; i < ours.length; i += DESCRIBE_BATCH) {
        const output = await send(new DescribeTasksCommand({ cluster: options.cluster, tasks: ours.slice(i, i + DESCRIBE_BATCH) }));
        for (const task of output.tasks ?? []) states.push(taskState(task));
        for (const failure of output.failures ?? []) states.push({ taskArn: failure.arn ?? '', status: 'missing', reason: failure.reason });
      }
      return states;
    },
    // The client belongs to whoever built it; the last poll may still use it.
    close: async () => {},
  };
}
