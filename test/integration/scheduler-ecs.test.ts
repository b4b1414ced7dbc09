import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import { createHarness, harnessPerTest, tenant, type Harness } from './scheduler-harness.js';

const at = (iso: string) => new Date(`2025-01-06T${iso}Z`).getTime();
const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;

describe('agent runs on ECS', () => {
  let h: Harness;
  let replica: SchedulerService;
  const runTasks = () => h.double.calls.filter((c) => c.operation === 'RunTask');
  const inputOf = (startedBy: string) => runTasks().map((c) => c.input as RunTaskCommandInput).find((i) => i.startedBy === startedBy)!;

  beforeAll(async () => {
    h = await createHarness(at('06:59:30'));
    for (const name of ['openclaw/tenants/acme/db', 'openclaw/tenants/acme/integrations/google', 'openclaw/tenants/globex/db', 'openclaw/tenants/globex/integrations/hubspot', 'openclaw/tenants/globex/integrations/microsoft']) {
      h.secrets.push({ name, arn: secretArn(name), tags: {} });
    }
    h.double.state.ecs.setOutcome({ startedBy: 'openclaw/globex/scout' }, { exitCode: 1, durationMs: 30_000 });
    replica = h.controller();
    await replica.update([
      tenant('acme', { tier: 'starter', agents: [{ schedule: '0 7 * * *' }], integrations: [{ provider: 'google' }] }),
      tenant('globex', {
        tier: 'professional',
        agents: [{ name: 'butler', schedule: '0 7 * * *' }, { name: 'scout', schedule: '0 7 * * *' }],
        integrations: [{ provider: 'microsoft' }, { provider: 'hubspot' }],
      }),
    ]);
    for (let i = 0; i < 6; i++) await h.step([replica], 30_000); // → 07:02:30
  });
  afterAll(async () => {
    await replica?.stop();
    await h?.close();
  });

  it('runs the task with the tenant role, on the configured cluster and network, with no public IP', () => {
    const input = inputOf('openclaw/acme/butler');
    expect(input).toMatchObject({
      cluster: 'openclaw',
      taskDefinition: 'openclaw-agent-butler',
      overrides: { taskRoleArn: 'arn:aws:iam::123456789012:role/openclaw/tenants/openclaw-tenant-acme' },
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123abcd'], securityGroups: ['sg-0123abcd'], assignPublicIp: 'DISABLED' } },
      enableECSManagedTags: true,
    });
  });

  it('uses Fargate Spot for the starter tier and Fargate for the others', () => {
    expect(inputOf('openclaw/acme/butler').capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    expect(inputOf('openclaw/globex/butler').capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
    expect(h.double.state.ecs.live().find((t) => t.input.startedBy === 'openclaw/acme/butler')?.capacityProviderName).toBe('FARGATE_SPOT');
  });

  it('passes the tenant, the run and the secret ARNs the agent needs, and no secret value', async () => {
    const input = inputOf('openclaw/globex/scout');
    const [override] = input.overrides!.containerOverrides!;
    expect(override.name).toBe('agent');
    const env = Object.fromEntries(override.environment!.map((e) => [e.name, e.value]));
    const [run] = await h.runs(`tenant = 'globex' AND agent = 'scout'`);
    expect(env).toMatchObject({
      OPENCLAW_TENANT: 'globex', OPENCLAW_AGENT: 'scout', OPENCLAW_RUN_ID: run.id,
      OPENCLAW_DB_SECRET_ARN: secretArn('openclaw/tenants/globex/db'),
      OPENCLAW_SECRET_HUBSPOT_ARN: secretArn('openclaw/tenants/globex/integrations/hubspot'),
    });
    // scout reads salesforce and hubspot only: not the microsoft secret the tenant also has.
    expect(env.OPENCLAW_SECRET_MICROSOFT_ARN).toBeUndefined();
    expect(env.OPENCLAW_DB_CREDENTIALS).toBeUndefined();
  });

  it('sets startedBy and tags (tenant, agent, run id) to find the run again, and the run id as idempotency token', async () => {
    const input = inputOf('openclaw/acme/butler');
    const [run] = await h.runs(`tenant = 'acme'`);
    expect(input.startedBy).toBe('openclaw/acme/butler');
    expect(input.clientToken).toBe(run.id);
    expect(input.tags).toEqual(expect.arrayContaining([
      { key: 'openclaw:tenant', value: 'acme' }, { key: 'openclaw:agent', value: 'butler' }, { key: 'openclaw:run-id', value: run.id },
    ]));
    expect(run.taskArn).toBe(h.double.state.ecs.live().find((t) => t.input.startedBy === 'openclaw/acme/butler')!.taskArn);
  });

  it('reports a task that exits with 1 as failed, with its exit code and duration, from DescribeTasks', async () => {
    const [failed] = await h.runs(`tenant = 'globex' AND agent = 'scout'`);
    expect(failed).toMatchObject({ status: 'failed', exitCode: 1, durationMs: 30_000, reason: 'Essential container in task exited' });
    const [ok] = await h.runs(`tenant = 'globex' AND agent = 'butler'`);
    expect(ok).toMatchObject({ status: 'succeeded', exitCode: 0, durationMs: 60_000, reason: null });
    expect(ok.finishedAt!.getTime() - ok.startedAt!.getTime()).toBeGreaterThanOrEqual(60_000);
  });
});

describe('launch spreading', () => {
  let h: Harness;
  let replica: SchedulerService;
  // The 07:00 launch of 1,000 tenants, made once by whichever test needs it first: its RunTask calls as they stood then.
  let launched: Promise<typeof h.double.calls> | undefined;
  // The throttling test's own double and database: its slower ECS and its 50 tenants are no other test's.
  const ownHarness = harnessPerTest();
  const launch = () => (launched ??= (async () => {
    await h.step([replica], 1_000); // 07:00:00: every fire is claimed, launches drain at 20/s
    return h.double.calls.filter((c) => c.operation === 'RunTask');
  })());

  beforeAll(async () => {
    h = await createHarness(at('06:59:59'));
    replica = h.controller({ launchesPerSecond: 20 });
    await replica.update(Array.from({ length: 1000 }, (_, i) => tenant(`t${String(i).padStart(4, '0')}`, { agents: [{ schedule: '0 7 * * *' }] })));
  }, 120_000);
  afterAll(async () => {
    await replica?.stop();
    await h?.close();
  });

  it('starts 1,000 tenants due in the same minute under Fargate’s launch rate: no ThrottlingException', async () => {
    const calls = await launch();
    expect(calls.filter((c) => c.error)).toEqual([]);
    expect(calls).toHaveLength(1000);
    expect((await h.runs(`status IN ('running', 'succeeded')`)).length).toBe(1000);
    // 20 per second sustained: the last launch no sooner than (1000 - 20) / 20 s after the first.
    expect(calls.at(-1)!.at - calls[0].at).toBeGreaterThanOrEqual(49_000);
    // Token bucket: burst 20, then 20/s, so any one second holds at most 40 launches (Fargate allows a burst of 100).
    for (let i = 40; i < calls.length; i++) expect(calls[i].at - calls[i - 40].at).toBeGreaterThanOrEqual(999);
  }, 120_000);

  it('polls the running tasks in batches of at most 100 ARNs per DescribeTasks', async () => {
    await launch();
    expect((await h.runs(`status = 'running'`)).length).toBe(1000);
    h.double.resetCalls();
    await h.step([replica], 120_000);
    const describes = h.double.calls.filter((c) => c.operation === 'DescribeTasks');
    expect(describes.length).toBe(10);
    expect(Math.max(...describes.map((c) => (c.input as { tasks: string[] }).tasks.length))).toBe(100);
    expect((await h.runs(`status = 'succeeded'`)).length).toBe(1000);
  }, 120_000);

  it('backs off and retries when ECS throttles anyway, and still starts every run', async () => {
    const throttled = await ownHarness(at('07:02:00'));
    const fifty = throttled.controller({ launchesPerSecond: 20 });
    throttled.double.state.ecs.configure({ launchRate: { perSecond: 5, burst: 5 } });
    await fifty.update(Array.from({ length: 50 }, (_, i) => tenant(`u${i}`, { agents: [{ schedule: '*/5 * * * *' }] })));
    await throttled.step([fifty], 3 * 60_000);
    const calls = throttled.double.calls.filter((c) => c.operation === 'RunTask');
    expect(calls.some((c) => c.error === 'ThrottlingException')).toBe(true);
    expect(calls.filter((c) => !c.error)).toHaveLength(50);
    expect((await throttled.runs(`tenant LIKE 'u%' AND status = 'failed'`))).toEqual([]);
    await fifty.stop();
  }, 120_000);
});
