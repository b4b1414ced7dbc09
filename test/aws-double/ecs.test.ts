import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  paginateListTasks,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { rejection, setup } from './fixtures.js';

const network = { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' as const } };

function world(options: Parameters<typeof setup>[0] = {}) {
  const w = setup(options);
  w.double.state.ecs.createCluster('openclaw');
  w.double.state.ecs.registerTaskDefinition('butler');
  w.double.state.ecs.configure({ provisioningMs: 10_000, durationMs: 60_000 });
  return w;
}

function run(tenant: string, extra: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: 'openclaw',
    taskDefinition: 'butler',
    launchType: 'FARGATE',
    networkConfiguration: network,
    startedBy: `openclaw/${tenant}`,
    tags: [{ key: 'tenant', value: tenant }],
    overrides: {
      taskRoleArn: `arn:aws:iam::123456789012:role/openclaw/tenants/${tenant}`,
      containerOverrides: [{ name: 'butler', environment: [{ name: 'TENANT_ID', value: tenant }] }],
    },
    ...extra,
  };
}

describe('ECS double', () => {
  it('answers ClusterNotFoundException for an unknown cluster', async () => {
    const { ecs } = world();
    const error = await rejection(ecs.send(new RunTaskCommand(run('a', { cluster: 'nope' }))));
    expect(error.name).toBe('ClusterNotFoundException');
  });

  it('starts a provisioning task with the role override and an ARN under its cluster', async () => {
    const { ecs } = world();
    const { tasks, failures } = await ecs.send(new RunTaskCommand(run('a')));
    expect(failures).toEqual([]);
    expect(tasks![0].taskArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/openclaw\/[0-9a-f]{32}$/);
    expect(tasks![0]).toMatchObject({
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      startedBy: 'openclaw/a',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/butler:1',
      overrides: { taskRoleArn: 'arn:aws:iam::123456789012:role/openclaw/tenants/a' },
    });
  });

  it('moves a task from PROVISIONING to RUNNING to STOPPED with its exit code on the injected clock', async () => {
    const { ecs, clock } = world();
    const arn = (await ecs.send(new RunTaskCommand(run('a')))).tasks![0].taskArn!;
    const status = async () => (await ecs.send(new DescribeTasksCommand({ cluster: 'openclaw', tasks: [arn] }))).tasks![0];
    expect((await status()).lastStatus).toBe('PROVISIONING');
    clock.advance(10_000);
    expect(await status()).toMatchObject({ lastStatus: 'RUNNING', startedAt: new Date(clock.now()) });
    clock.advance(60_000);
    const stopped = await status();
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
    expect(stopped.containers![0].exitCode).toBe(0);
  });

  it('gives matching tasks the outcome set for them, such as a failing exit code', async () => {
    const { ecs, clock, double } = world();
    double.state.ecs.setOutcome({ env: { TENANT_ID: 'b' } }, { exitCode: 1, durationMs: 5_000 });
    const a = (await ecs.send(new RunTaskCommand(run('a')))).tasks![0].taskArn!;
    const b = (await ecs.send(new RunTaskCommand(run('b')))).tasks![0].taskArn!;
    clock.advance(15_000);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'openclaw', tasks: [a, b] }));
    expect(tasks!.map((t) => [t.lastStatus, t.containers![0].exitCode])).toEqual([
      ['RUNNING', undefined],
      ['STOPPED', 1],
    ]);
  });

  it('launches a burst of 100 Fargate tasks, then 20 per second, throttling the rest', async () => {
    const { ecs, clock } = world();
    for (let i = 0; i < 10; i++) await ecs.send(new RunTaskCommand(run(`t${i}`, { count: 10 })));
    const error = await rejection(ecs.send(new RunTaskCommand(run('late'))));
    expect(error.name).toBe('ThrottlingException');
    clock.advance(1_000);
    await ecs.send(new RunTaskCommand(run('x', { count: 10 })));
    await ecs.send(new RunTaskCommand(run('y', { count: 10 })));
    expect((await rejection(ecs.send(new RunTaskCommand(run('z'))))).name).toBe('ThrottlingException');
  });

  it('stops a task on request and lists tasks by desired status and startedBy across pages', async () => {
    const { ecs } = world();
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) arns.push((await ecs.send(new RunTaskCommand(run('a')))).tasks![0].taskArn!);
    await ecs.send(new RunTaskCommand(run('b')));
    const stopped = await ecs.send(new StopTaskCommand({ cluster: 'openclaw', task: arns[0], reason: 'Replaced' }));
    expect(stopped.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Replaced' });
    const running: string[] = [];
    for await (const page of paginateListTasks({ client: ecs, pageSize: 2 }, { cluster: 'openclaw', startedBy: 'openclaw/a' })) running.push(...page.taskArns!);
    expect(running.sort()).toEqual(arns.slice(1).sort());
    const gone = await ecs.send(new ListTasksCommand({ cluster: 'openclaw', desiredStatus: 'STOPPED' }));
    expect(gone.taskArns).toEqual([arns[0]]);
    expect((await ecs.send(new ListTasksCommand({ cluster: 'openclaw', family: 'butler' }))).taskArns).toHaveLength(5);
  });

  it('forgets stopped tasks an hour after they stop, so DescribeTasks reports them MISSING', async () => {
    const { ecs, clock } = world();
    const arn = (await ecs.send(new RunTaskCommand(run('a')))).tasks![0].taskArn!;
    clock.advance(70_000 + 3_600_000);
    expect((await ecs.send(new DescribeTasksCommand({ cluster: 'openclaw', tasks: [arn] }))).tasks![0].lastStatus).toBe('STOPPED');
    clock.advance(1);
    const { tasks, failures } = await ecs.send(new DescribeTasksCommand({ cluster: 'openclaw', tasks: [arn] }));
    expect(tasks).toEqual([]);
    expect(failures).toEqual([{ arn, reason: 'MISSING' }]);
  });

  it('returns tags from DescribeTasks only when asked to include them', async () => {
    const { ecs } = world();
    const arn = (await ecs.send(new RunTaskCommand(run('a')))).tasks![0].taskArn!;
    expect((await ecs.send(new DescribeTasksCommand({ cluster: 'openclaw', tasks: [arn] }))).tasks![0].tags).toBeUndefined();
    const tagged = await ecs.send(new DescribeTasksCommand({ cluster: 'openclaw', tasks: [arn], include: ['TAGS'] }));
    expect(tagged.tasks![0].tags).toEqual([{ key: 'tenant', value: 'a' }]);
  });

  it('runs starter-tier tasks on Fargate Spot through a capacity provider strategy', async () => {
    const { ecs } = world();
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
    const { tasks } = await ecs.send(new RunTaskCommand(run('a', { launchType: undefined, capacityProviderStrategy: strategy })));
    expect(tasks![0]).toMatchObject({ capacityProviderName: 'FARGATE_SPOT', launchType: 'FARGATE' });
    const both = await rejection(ecs.send(new RunTaskCommand(run('a', { capacityProviderStrategy: strategy }))));
    expect(both.name).toBe('InvalidParameterException');
    const unknown = await rejection(ecs.send(new RunTaskCommand(run('a', { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'EC2-ASG' }] }))));
    expect(unknown.name).toBe('InvalidParameterException');
  });

  it('validates the task definition, network configuration, count and startedBy', async () => {
    const { ecs } = world();
    const name = async (input: RunTaskCommandInput) => (await rejection(ecs.send(new RunTaskCommand(input)))).name;
    expect(await name(run('a', { taskDefinition: 'scout' }))).toBe('InvalidParameterException');
    expect(await name(run('a', { networkConfiguration: undefined }))).toBe('InvalidParameterException');
    expect(await name(run('a', { count: 11 }))).toBe('InvalidParameterException');
    expect(await name(run('a', { startedBy: 'x'.repeat(129) }))).toBe('InvalidParameterException');
    const overrides = (value: string) => ({ containerOverrides: [{ name: 'butler', environment: [{ name: 'X', value }] }] });
    const fits = 8192 - JSON.stringify(overrides('')).length;
    expect((await ecs.send(new RunTaskCommand(run('a', { overrides: overrides('v'.repeat(fits)), clientToken: 'fits' })))).tasks).toHaveLength(1);
    const tooLong = await rejection(ecs.send(new RunTaskCommand(run('a', { overrides: overrides('v'.repeat(fits + 1)) }))));
    expect([tooLong.name, tooLong.message]).toEqual(['InvalidParameterException', 'Container Overrides length must be at most 8192']);
    const ec2 = await ecs.send(new RunTaskCommand(run('a', { launchType: 'EC2' })));
    expect(ec2.tasks).toEqual([]);
    expect(ec2.failures![0].reason).toBe('No Container Instances were found in your cluster.');
  });

  it('starts one task per client token: the same request again gets the same task, a changed one a ConflictException', async () => {
    const { ecs, double, clock } = world();
    double.state.ecs.createCluster('other');
    const first = (await ecs.send(new RunTaskCommand(run('a', { clientToken: 'run-1' })))).tasks![0].taskArn!;
    const again = await ecs.send(new RunTaskCommand(run('a', { clientToken: 'run-1' })));
    expect(again.tasks!.map((t) => t.taskArn)).toEqual([first]);
    const changed = await rejection(ecs.send(new RunTaskCommand(run('a', { clientToken: 'run-1', startedBy: 'openclaw/b' }))));
    expect(changed).toMatchObject({ name: 'ConflictException', resourceIds: [first] });
    // Tokens are per cluster, and forgotten after 24 hours.
    const elsewhere = (await ecs.send(new RunTaskCommand(run('a', { cluster: 'other', clientToken: 'run-1' })))).tasks![0].taskArn!;
    expect(elsewhere).not.toBe(first);
    clock.advance(24 * 3_600_000 + 1);
    const later = (await ecs.send(new RunTaskCommand(run('a', { clientToken: 'run-1' })))).tasks![0].taskArn!;
    expect(later).not.toBe(first);
    expect(double.state.ecs.tasks.size).toBe(3);
    expect((await rejection(ecs.send(new RunTaskCommand(run('a', { clientToken: 'x'.repeat(65) }))))).name).toBe('InvalidParameterException');
  });

  it('can lose the answer of a call that took effect, so a retry with the client token finds the task it started', async () => {
    const { ecs, double } = world();
    double.failNext({ service: 'ecs', operation: 'RunTask', after: true }, { name: 'ServerException', message: 'connection reset' });
    expect((await rejection(ecs.send(new RunTaskCommand(run('a', { clientToken: 'run-2' }))))).name).toBe('ServerException');
    expect(double.state.ecs.tasks.size).toBe(1);
    const retried = await ecs.send(new RunTaskCommand(run('a', { clientToken: 'run-2' })));
    expect(retried.tasks!.map((t) => t.taskArn)).toEqual([...double.state.ecs.tasks.keys()]);
    expect(double.state.ecs.tasks.size).toBe(1);
  });
});
