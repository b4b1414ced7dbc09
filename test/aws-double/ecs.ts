// ECS operations over EcsState: RunTask (with Fargate's launch rate), DescribeTasks, StopTask, ListTasks.
import type * as E from '@aws-sdk/client-ecs';
import { throttled, type Out, type ServiceHandlers } from './core.js';
import type { Env } from './options.js';
import { fail } from './errors.js';
import type { EcsState, EcsTaskRecord } from './ecs-state.js';
import { ids, pageSize, paginate } from './paging.js';

const FARGATE = new Set(['FARGATE', 'FARGATE_SPOT']);

function invalid(message: string): never {
  fail('InvalidParameterException', message);
}

export function ecsHandlers(state: EcsState, env: Env): ServiceHandlers {
  const taskDefinition = (ref: string | undefined) => {
    if (!ref) invalid('taskDefinition can not be blank.');
    return state.taskDefinitions.get(ref.replace(/^arn:aws:ecs:[^:]+:\d+:task-definition\//, '')) ?? invalid('TaskDefinition not found.');
  };
  const find = (clusterArn: string, ref: string): EcsTaskRecord | undefined =>
    state.live().find((t) => t.clusterArn === clusterArn && (t.taskArn === ref || t.id === ref));

  return {
    RunTask(input: E.RunTaskCommandInput): Out<E.RunTaskCommandOutput> {
      const cluster = state.cluster(input.cluster);
      const td = taskDefinition(input.taskDefinition);
      const strategy = input.capacityProviderStrategy;
      if (input.launchType && strategy?.length) invalid('Specifying both a launch type and capacity provider strategy is not supported.');
      const count = input.count ?? 1;
      if (!Number.isInteger(count) || count < 1 || count > 10) invalid('count must be between 1 and 10.');
      if ((input.startedBy ?? '').length > 128) invalid('startedBy must be at most 128 characters.');
      if ((input.tags ?? []).length > 50) invalid('The task can have at most 50 tags.');
      // "A total of 8192 characters are allowed for overrides. This limit includes the JSON formatting characters."
      if (input.overrides && JSON.stringify(input.overrides).length > 8192) invalid('Container Overrides length must be at most 8192');
      for (const o of input.overrides?.containerOverrides ?? []) {
        if (o.name && !td.containerNames.includes(o.name)) {
          invalid(`Override for container named ${o.name} is not a container in the TaskDefinition.`);
        }
      }
      let capacityProviderName: string | undefined;
      if (strategy?.length) {
        for (const item of strategy) {
          if (!cluster.capacityProviders.includes(item.capacityProvider ?? '')) {
            invalid('The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster.');
          }
        }
        const byPreference = (a: E.CapacityProviderStrategyItem, b: E.CapacityProviderStrategyItem) =>
          (b.base ?? 0) - (a.base ?? 0) || (b.weight ?? 0) - (a.weight ?? 0);
        capacityProviderName = [...strategy].sort(byPreference)[0].capacityProvider;
      }
      const fargate = input.launchType === 'FARGATE' || FARGATE.has(capacityProviderName ?? '');
      if (!fargate) {
        // The double models no container instances: an EC2 launch places nothing, as on an empty cluster.
        return { tasks: [], failures: [{ arn: cluster.clusterArn, reason: 'No Container Instances were found in your cluster.' }] };
      }
      const vpc = input.networkConfiguration?.awsvpcConfiguration;
      if (!vpc) invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
      if (!vpc.subnets?.length) invalid('subnets can not be empty.');
      if (input.clientToken !== undefined && !/^[\x21-\x7e]{1,64}$/.test(input.clientToken)) invalid('clientToken must be 1 to 64 ASCII characters in the range 33-126.');
      // Idempotent on the client token: the same request again gets the tasks it started, and starts none.
      const replayed = state.replay(cluster.clusterArn, input);
      if (replayed) return { tasks: replayed, failures: [] };
      if (!state.takeLaunches(count)) throw throttled('ecs');
      const tasks: E.Task[] = [];
      for (let i = 0; i < count; i++) {
        const id = ids.hex(env.random, 32);
        const outcome = state.outcomeFor(input);
        const record: EcsTaskRecord = {
          id,
          taskArn: `arn:aws:ecs:${env.options.region}:${env.options.accountId}:task/${cluster.clusterName}/${id}`,
          clusterArn: cluster.clusterArn,
          taskDefinitionArn: td.arn,
          family: td.family,
          containerNames: td.containerNames,
          cpu: td.cpu,
          memory: td.memory,
          input: structuredClone(input),
          launchType: 'FARGATE',
          capacityProviderName,
          createdAt: env.now(),
          provisioningMs: outcome.provisioningMs,
          durationMs: outcome.durationMs,
          exitCode: outcome.exitCode,
          stoppedReason: outcome.stoppedReason,
          stopCode: 'EssentialContainerExited',
        };
        state.tasks.set(record.taskArn, record);
        tasks.push(state.view(record, true));
      }
      state.remember(cluster.clusterArn, input, tasks.map((t) => t.taskArn!));
      return { tasks, failures: [] };
    },
    DescribeTasks(input: E.DescribeTasksCommandInput): Out<E.DescribeTasksCommandOutput> {
      const cluster = state.cluster(input.cluster);
      const refs = input.tasks ?? [];
      if (refs.length === 0) invalid('Tasks cannot be empty.');
      if (refs.length > 100) invalid('Too many tasks were specified. Up to 100 tasks can be described at once.');
      const withTags = (input.include ?? []).includes('TAGS');
      const tasks: E.Task[] = [];
      const failures: E.Failure[] = [];
      for (const ref of refs) {
        const t = find(cluster.clusterArn, ref);
        if (t) tasks.push(state.view(t, withTags));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { tasks, failures };
    },
    StopTask(input: E.StopTaskCommandInput): Out<E.StopTaskCommandOutput> {
      const cluster = state.cluster(input.cluster);
      const t = find(cluster.clusterArn, String(input.task)) ?? invalid('The referenced task was not found.');
      const now = env.now();
      if (t.createdAt + t.provisioningMs + t.durationMs > now && t.stoppedAt === undefined) {
        t.stoppedAt = now;
        t.stopCode = 'UserInitiated';
        t.stoppedReason = input.reason ?? 'Task stopped by user';
        t.exitCode = 143; // SIGTERM
      }
      return { task: state.view(t, false) };
    },
    ListTasks(input: E.ListTasksCommandInput): Out<E.ListTasksCommandOutput> {
      const cluster = state.cluster(input.cluster);
      const max = pageSize(input.maxResults, 100, 1, 100, () => invalid('maxResults must be between 1 and 100.'));
      const desired = input.desiredStatus ?? 'RUNNING';
      const arns = state
        .live()
        .filter((t) => t.clusterArn === cluster.clusterArn && (input.family === undefined || t.family === input.family))
        .map((t) => state.view(t, false))
        .filter((t) => t.desiredStatus === desired)
        .filter((t) => input.startedBy === undefined || t.startedBy === input.startedBy)
        .filter((t) => input.launchType === undefined || t.launchType === input.launchType)
        .map((t) => t.taskArn!)
        .sort();
      const page = paginate(arns, (a) => a, input.nextToken, max, () => invalid('Invalid nextToken.'));
      return { taskArns: page.items, nextToken: page.next };
    },
  };
}
