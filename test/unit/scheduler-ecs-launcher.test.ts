import type { Task } from '@aws-sdk/client-ecs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ecsCaller } from '../../controller/scheduler/ecs-client.js';
import { ecsLauncher, runTaskInput, taskState } from '../../controller/scheduler/ecs-launcher.js';
import { scheduleEntries } from '../../controller/scheduler/entries.js';
import { createAwsDouble, createDoubleClients, createManualClock, seededRandom } from '../aws-double/index.js';
import { tenant } from '../integration/scheduler-harness.js';

const OPTIONS = { cluster: 'openclaw', subnets: ['subnet-0123abcd'], securityGroups: ['sg-0123abcd'], taskDefinitionPrefix: 'openclaw-agent-' };
const [starter] = scheduleEntries([tenant('acme', { tier: 'starter' })]);

describe('RunTask input', () => {
  it('keeps startedBy within 128 characters and at most 50 tags, run id kept', () => {
    const long = { ...starter, tags: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'v'])) };
    const input = runTaskInput({ runId: 'r1', entry: long, env: {} }, OPTIONS);
    expect(input.tags).toHaveLength(50);
    expect(input.tags).toContainEqual({ key: 'openclaw:run-id', value: 'r1' });
    expect(input.startedBy!.length).toBeLessThanOrEqual(128);
  });

  it('merges the common environment under the run’s own', () => {
    const input = runTaskInput({ runId: 'r1', entry: starter, env: { OPENCLAW_RUN_ID: 'r1' } }, { ...OPTIONS, baseEnv: { OPENCLAW_LOG_LEVEL: 'info', OPENCLAW_RUN_ID: 'x' } });
    expect(input.overrides!.containerOverrides![0].environment).toEqual([{ name: 'OPENCLAW_LOG_LEVEL', value: 'info' }, { name: 'OPENCLAW_RUN_ID', value: 'r1' }]);
  });
});

describe('a task as DescribeTasks shows it', () => {
  const stopped = (exitCode: number | undefined, extra: Partial<Task> = {}): Task => ({
    taskArn: 'arn:t', lastStatus: 'STOPPED', startedAt: new Date(1_000), stoppedAt: new Date(61_000), stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'agent', exitCode }], ...extra,
  });

  it('is running until it has stopped', () => {
    expect(taskState({ taskArn: 'arn:t', lastStatus: 'RUNNING' })).toEqual({ taskArn: 'arn:t', status: 'running' });
  });

  it('carries the agent container’s exit code and the run time', () => {
    expect(taskState(stopped(0))).toEqual({ taskArn: 'arn:t', status: 'stopped', exitCode: 0, startedAt: 1_000, stoppedAt: 61_000, reason: undefined });
    expect(taskState(stopped(1))).toMatchObject({ exitCode: 1, reason: 'Essential container in task exited' });
  });

  it('has no exit code when the container never started, and says why', () => {
    expect(taskState(stopped(undefined, { startedAt: undefined, containers: [{ name: 'agent', reason: 'CannotPullContainerError' }] }))).toMatchObject({
      exitCode: undefined, reason: 'Essential container in task exited: CannotPullContainerError',
    });
  });
});

describe('the ECS launcher', () => {
  const clock = createManualClock();
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(3) });
  double.state.ecs.createCluster('openclaw');
  double.state.ecs.registerTaskDefinition('openclaw-agent-butler', { containerNames: ['agent'] });
  const launcher = ecsLauncher({
    ...OPTIONS, client: createDoubleClients(double).ecs,
    caller: ecsCaller({ launchesPerSecond: 20, now: clock.now, sleep: clock.sleep, random: seededRandom(5), log: pino({ level: 'silent' }) }),
  });

  it('describes tasks it no longer knows as missing, and leaves local ones alone', async () => {
    const { taskArn } = await launcher.launch({ runId: 'r1', entry: starter, env: {} });
    const states = await launcher.describe([taskArn, 'arn:aws:ecs:us-east-1:123456789012:task/openclaw/gone', 'local:pid/1']);
    expect(states.map((s) => s.status).sort()).toEqual(['foreign', 'missing', 'running']);
  });

  it('treats stopping a task that is gone as done', async () => {
    await expect(launcher.stop('arn:aws:ecs:us-east-1:123456789012:task/openclaw/gone', 'replaced')).resolves.toBeUndefined();
  });

  it('takes the task an earlier attempt started when the request changed under the same run id, and starts no second', async () => {
    const first = await launcher.launch({ runId: 'r4', entry: starter, env: { OPENCLAW_LOG_LEVEL: 'info' } });
    const tasks = double.state.ecs.tasks.size;
    // The same run again after a configuration change: ECS refuses the token (ConflictException) and names the task.
    const again = await launcher.launch({ runId: 'r4', entry: starter, env: { OPENCLAW_LOG_LEVEL: 'debug' } });
    expect(again.taskArn).toBe(first.taskArn);
    expect(double.state.ecs.tasks.size).toBe(tasks);
  });

  it('reports a launch that placed no task, with ECS’s reason', async () => {
    const client = { send: async () => ({ tasks: [], failures: [{ arn: 'arn:c', reason: 'RESOURCE:MEMORY', detail: 'no capacity' }] }) };
    const refused = ecsLauncher({ ...OPTIONS, client: client as never, caller: ecsCaller({ launchesPerSecond: 20, now: clock.now, sleep: clock.sleep, random: Math.random, log: pino({ level: 'silent' }) }) });
    await expect(refused.launch({ runId: 'r2', entry: starter, env: {} })).rejects.toThrow('RunTask started no task: RESOURCE:MEMORY (no capacity)');
  });

  it('fails a launch ECS refuses as invalid at once, without retrying it', async () => {
    double.state.ecs.createCluster('openclaw', ['FARGATE']);
    double.resetCalls();
    await expect(launcher.launch({ runId: 'r3', entry: starter, env: {} })).rejects.toThrow(/capacity provider/);
    expect(double.calls).toHaveLength(1);
    double.state.ecs.createCluster('openclaw');
  });
});
