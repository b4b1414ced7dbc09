import { ECSClient, type Task } from '@aws-sdk/client-ecs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ecsCaller } from '../../controller/scheduler/ecs-client.js';
import { ecsLauncherFor } from '../../controller/compose/launchers.js';
import { loadConfig } from '../../controller/config.js';
import { publicUrlOf } from '../../controller/integrations/index.js';
import { unsubscribeEndpoint } from '../../controller/integrations/unsubscribe.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import { validateManifests } from '../../controller/manifests/index.js';
import { RECIPIENT_CHARACTERS } from '../../controller/manifests/semantic.js';
import { ECS_OVERRIDES_LIMIT, ecsLauncher, runTaskInput, taskState } from '../../controller/scheduler/ecs-launcher.js';
import { activeEntry, scheduleEntries } from '../../controller/scheduler/entries.js';
import { digestRecipientsEnv, runEnvironment } from '../../controller/scheduler/run-env.js';
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

/** An AWS double whose ECS has the cluster and butler's task definition, on a manual clock. */
function ecsWithButler(seed: number) {
  const clock = createManualClock();
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(seed) });
  double.state.ecs.createCluster('openclaw');
  double.state.ecs.registerTaskDefinition('openclaw-agent-butler', { containerNames: ['agent'] });
  return { clock, double };
}

describe('the ECS launcher', () => {
  const { clock, double } = ecsWithButler(3);
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
    // ECS answers RunTask with a failure and no task, as it does when the cluster has no capacity left.
    const client = new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    client.middlewareStack.add(() => async () => ({ output: { $metadata: {}, tasks: [], failures: [{ arn: 'arn:c', reason: 'RESOURCE:MEMORY', detail: 'no capacity' }] }, response: {} }), { step: 'initialize' });
    const refused = ecsLauncher({ ...OPTIONS, client, caller: ecsCaller({ launchesPerSecond: 20, now: clock.now, sleep: clock.sleep, random: Math.random, log: pino({ level: 'silent' }) }) });
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

describe('a silo run’s ECS overrides', () => {
  const { clock, double } = ecsWithButler(7);
  const config = loadConfig({
    OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'ap-southeast-2', OPENCLAW_TENANT_BUCKET: 'openclaw-tenants-production-ap-southeast-2',
    OPENCLAW_PERMISSIONS_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary',
    OPENCLAW_ECS_CLUSTER: 'openclaw', OPENCLAW_SUBNETS: 'subnet-0123abcd', OPENCLAW_SECURITY_GROUPS: 'sg-0123abcd',
    OPENCLAW_BEDROCK_MODEL_ID: 'arn:aws:bedrock:ap-southeast-2:123456789012:inference-profile/apac.anthropic.claude-3-5-sonnet-20241022-v2:0',
    OPENCLAW_SES_FROM_ADDRESS: 'daily-digest@notifications.customer-success.example-saas-company.com', OPENCLAW_SES_CONFIGURATION_SET: 'openclaw-digest-deliveries',
    OPENCLAW_PUBLIC_URL: 'https://openclaw-public.customer-success.example-saas-company.com',
  }, '/tmp');
  const launcher = ecsLauncherFor(config, createDoubleClients(double).ecs, { now: clock.now, sleep: clock.sleep, random: seededRandom(5) }, pino({ level: 'silent' }));
  if ('problem' in launcher) throw new Error(launcher.problem);

  it('fit ECS’s 8,192 characters for the largest butler run a valid manifest can ask for', async () => {
    // A 40-character name, a 128-character display name, every integration, and the contact's and twenty recipients' addresses at their bound.
    const name = `a${'b'.repeat(38)}c`;
    const address = (i: number, length: number) => `${String(i).padStart(2, '0')}${'x'.repeat(length - 2 - '@example.com'.length)}@example.com`;
    const contact = address(99, 254);
    const per = Math.floor((RECIPIENT_CHARACTERS - contact.length) / 20);
    const recipients = Array.from({ length: 20 }, (_, i) => address(i, i === 0 ? RECIPIENT_CHARACTERS - contact.length - 19 * per : per));
    const text = [
      'apiVersion: openclaw.io/v1alpha1', 'kind: Tenant', `metadata: { name: ${name} }`, 'spec:',
      `  displayName: "${'D'.repeat(128)}"`, `  contact: { email: ${contact} }`, '  tier: enterprise',
      '  agents:', '    - name: butler', '      schedule: "0 7 * * *"', '      recipients:', ...recipients.map((r) => `        - ${r}`),
      '  integrations:', '    - provider: google', '    - provider: microsoft', '    - provider: hubspot',
    ].join('\n');
    const { tenants, issues } = validateManifests([{ file: `tenants/${name}.yaml`, text }]);
    expect(issues).toEqual([]);
    const entry = activeEntry(desiredTenant(tenants[0].manifest, { accountId: '123456789012', partition: 'aws', region: 'ap-southeast-2', bucket: config.aws.tenantBucket, iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw' }), name, 'butler');
    if (typeof entry === 'string') throw new Error(entry);
    const runId = '0b6c1f9e-2d4a-4c8e-9f3b-7a5d2e1c0b9a';
    const arn = (secret: string) => `arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:${secret}-AbCdEf`;
    const env = {
      ...runEnvironment(entry, runId, { arn }, 123_456_789_012),
      ...digestRecipientsEnv([contact, ...recipients], Array(21).fill('S'.repeat(43)), unsubscribeEndpoint(publicUrlOf(config))),
    };
    const { taskArn } = await launcher.launch({ runId, entry, env });
    const { overrides } = double.state.ecs.tasks.get(taskArn)!.input;
    // About 5,600 characters: the bound leaves 2,000 or more for longer configured URLs, ARNs and names than these.
    expect(JSON.stringify(overrides).length).toBeLessThan(ECS_OVERRIDES_LIMIT - 2_000);
    expect(overrides!.containerOverrides![0].environment).toContainEqual({ name: 'OPENCLAW_DIGEST_RECIPIENTS', value: [contact, ...recipients].join(',') });
  });

  it('that ECS would refuse fail the launch at once, naming the largest variables and not their values', async () => {
    double.resetCalls();
    const failed = launcher.launch({ runId: 'r-large', entry: starter, env: { OPENCLAW_NOTES: 'secret-looking-value'.repeat(420) } });
    await expect(failed).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', retryable: false });
    await expect(failed).rejects.toThrow(/^the run's ECS overrides take \d+ characters \(allowed: at most 8192\); the largest environment values: OPENCLAW_NOTES \(8400\), /);
    await expect(failed).rejects.not.toThrow(/secret-looking-value/);
    expect(double.calls).toEqual([]);
  });
});
