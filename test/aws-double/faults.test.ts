import { CreateRoleCommand, GetRoleCommand, IAMServiceException, ListRolesCommand, ServiceFailureException } from '@aws-sdk/client-iam';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it, vi } from 'vitest';
import { createAwsDouble, createDoubleClients, seededRandom } from './index.js';
import { TRUST, rejection, setup } from './fixtures.js';

async function outcomes(send: () => Promise<unknown>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await send().then(() => 'ok', (e: Error) => e.name));
  return out;
}

describe('AWS double fault injection', () => {
  it('throttles about the given share of calls, the same calls for the same seed', async () => {
    const run = async () => {
      const { iam } = setup({ throttleRate: 0.3, random: seededRandom(7) });
      return outcomes(() => iam.send(new ListRolesCommand({})), 1000);
    };
    const first = await run();
    const throttled = first.filter((o) => o === 'Throttling').length;
    expect(throttled).toBeGreaterThan(250);
    expect(throttled).toBeLessThan(350);
    expect(first.filter((o) => o !== 'Throttling' && o !== 'ok')).toEqual([]);
    expect(await run()).toEqual(first);
  });

  it('throttles with each service’s own error name and status', async () => {
    const { iam, s3, secrets, sts, ecs, double } = setup({ throttleRate: 1 });
    double.state.s3.createBucket('b');
    double.state.ecs.createCluster('default');
    const seen = await Promise.all([
      rejection(iam.send(new ListRolesCommand({}))),
      rejection(s3.send(new ListObjectsV2Command({ Bucket: 'b' }))),
      rejection(secrets.send(new ListSecretsCommand({}))),
      rejection(sts.send(new GetCallerIdentityCommand({}))),
      rejection(ecs.send(new ListTasksCommand({}))),
    ]);
    expect(seen.map((e) => [e.name, e.$metadata?.httpStatusCode, e.$fault])).toEqual([
      ['Throttling', 400, 'client'],
      ['SlowDown', 503, 'server'],
      ['ThrottlingException', 400, 'client'],
      ['Throttling', 400, 'client'],
      ['ThrottlingException', 400, 'client'],
    ]);
    expect(seen[0]).toBeInstanceOf(IAMServiceException);
  });

  it('fails the given share of calls with server faults', async () => {
    const { iam, secrets } = setup({ faultRate: 1 });
    const error = await rejection(iam.send(new ListRolesCommand({})));
    expect(error).toBeInstanceOf(ServiceFailureException);
    expect(error.$fault).toBe('server');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect((await rejection(secrets.send(new ListSecretsCommand({})))).name).toBe('InternalServiceError');
  });

  it('rate-limits each service with a token bucket on the injected clock', async () => {
    const { iam, secrets, clock } = setup({ rateLimits: { iam: { perSecond: 2, burst: 5 } } });
    expect(await outcomes(() => iam.send(new ListRolesCommand({})), 7)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'Throttling', 'Throttling']);
    await secrets.send(new ListSecretsCommand({}));
    clock.advance(1_000);
    expect(await outcomes(() => iam.send(new ListRolesCommand({})), 3)).toEqual(['ok', 'ok', 'Throttling']);
    clock.advance(60_000);
    expect(await outcomes(() => iam.send(new ListRolesCommand({})), 6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'Throttling']);
  });

  it('fails the next matching calls with a targeted error, then behaves again', async () => {
    const { iam, double } = setup();
    double.failNext({ service: 'iam', operation: 'CreateRole', times: 2 }, { name: 'AccessDenied', message: 'User: x is not authorized to perform: iam:CreateRole' });
    await iam.send(new ListRolesCommand({}));
    const denied = await rejection(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST })));
    expect(denied).toMatchObject({ name: 'AccessDenied', message: 'User: x is not authorized to perform: iam:CreateRole', $fault: 'client' });
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect((await rejection(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST })))).name).toBe('AccessDenied');
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST }));
    double.failNext({ operation: 'GetRoleCommand' }, { name: 'NoSuchEntity' });
    expect((await rejection(iam.send(new GetRoleCommand({ RoleName: 'r' })))).name).toBe('NoSuchEntityException');
  });

  it('changes throttling and latency mid-test, sleeping through the injected sleep', async () => {
    const sleep = vi.fn(async (_ms: number) => {});
    const double = createAwsDouble({ sleep, random: seededRandom(1) });
    const { iam } = createDoubleClients(double);
    await iam.send(new ListRolesCommand({}));
    expect(sleep).not.toHaveBeenCalled();
    double.setOptions({ latencyMs: 25, throttleRate: 1 });
    expect((await rejection(iam.send(new ListRolesCommand({})))).name).toBe('Throttling');
    expect(sleep).toHaveBeenCalledWith(25);
    double.setOptions({ throttleRate: 0 });
    await iam.send(new ListRolesCommand({}));
  });

  it('records every call in order with its error, counts them by operation and tells writes apart', async () => {
    const { iam, double } = setup();
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST }));
    await rejection(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST })));
    await iam.send(new GetRoleCommand({ RoleName: 'r' }));
    expect(double.calls.map((c) => [c.operation, c.error])).toEqual([
      ['CreateRole', undefined],
      ['CreateRole', 'EntityAlreadyExistsException'],
      ['GetRole', undefined],
    ]);
    expect(double.countsByOperation()).toEqual({ 'iam:CreateRole': 2, 'iam:GetRole': 1 });
    expect(double.writeCalls()).toHaveLength(2);
    double.resetCalls();
    expect(double.calls).toEqual([]);
    await iam.send(new GetRoleCommand({ RoleName: 'r' }));
    expect(double.writeCalls()).toEqual([]);
  });

  it('answers an operation it does not implement with UnsupportedOperation', async () => {
    const { iam } = setup();
    const { ListUsersCommand } = await import('@aws-sdk/client-iam');
    const error = await rejection(iam.send(new ListUsersCommand({})));
    expect(error.name).toBe('UnsupportedOperation');
    expect(error.message).toContain('iam:ListUsers');
  });
});
