import { afterEach, describe, expect, it } from 'vitest';
import { names } from '../../contract/names.js';
import type { TenantManifest } from '../../controller/manifests/types.js';
import { awsBed, converge, exampleManifests, pass, withSpec, type TestBed } from './aws-support.js';

const WRITE = /^(?!(Get|List|Describe|Head))/;

describe('the AWS provider on the AWS double, under the engine', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.close();
    bed = undefined;
  });

  it('counts every call by service and operation, throttled ones included, exactly as AWS received them', async () => {
    bed = await awsBed();
    bed.double!.setOptions({ throttleRate: 0.2 });
    await converge(bed, await exampleManifests());
    expect(bed.provider.callCounts()).toEqual(bed.double!.countsByOperation());
    expect(bed.provider.callCounts()['sts:GetCallerIdentity']).toBe(1);
    expect(bed.double!.calls.some((c) => c.error === 'Throttling' || c.error === 'ThrottlingException' || c.error === 'SlowDown')).toBe(true);
  });

  it('still converges with 30 % of calls throttled, and then passes without writing', async () => {
    bed = await awsBed({ seed: 11 });
    const examples = await exampleManifests();
    const copies = Array.from({ length: 9 }, (_, i) => withSpec(examples[i % 3], {}, `${examples[i % 3].metadata.name}-${i}`));
    const manifests = [...examples, ...copies];
    bed.double!.setOptions({ throttleRate: 0.3 });
    const passes = await converge(bed, manifests, 6);
    expect(passes).toBeLessThanOrEqual(6);
    const throttled = bed.double!.calls.filter((c) => c.error === 'Throttling' || c.error === 'ThrottlingException' || c.error === 'SlowDown');
    expect(throttled.length / bed.double!.calls.length).toBeGreaterThan(0.2);
    expect(await bed.provider.iam.listRoles('/openclaw/')).toHaveLength(12);
    bed.double!.setOptions({ throttleRate: 0 });
    bed.double!.resetCalls();
    const quiet = await pass(bed, manifests);
    expect(quiet.applied).toEqual([]);
    expect(bed.double!.writeCalls()).toEqual([]);
  });

  it('stops a tenant at AccessDenied with a terminal error that carries AWS’s message', async () => {
    bed = await awsBed();
    const message = 'User: arn:aws:sts::123456789012:assumed-role/openclaw-controller/x is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/openclaw/tenants/openclaw-tenant-acme';
    bed.double!.failNext({ service: 'iam', operation: 'CreateRole' }, { name: 'AccessDenied', message });
    const result = await pass(bed, await exampleManifests());
    const failed = [...result.errors];
    expect(failed).toHaveLength(1);
    expect(failed[0][1]).toMatchObject({ retryable: false, code: 'PERMISSION_DENIED' });
    expect(failed[0][1].message).toContain(message);
    expect(bed.double!.countsByOperation()['iam:CreateRole']).toBe(3);
  });

  it('gives a policy IAM refuses as a terminal error, and a limit as LIMIT_EXCEEDED', async () => {
    bed = await awsBed();
    bed.double!.failNext({ service: 'iam', operation: 'PutRolePolicy' }, { name: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' });
    bed.double!.failNext({ service: 'secretsmanager', operation: 'CreateSecret' }, { name: 'LimitExceededException', message: 'You have exceeded the number of secrets.' });
    const result = await pass(bed, await exampleManifests());
    const codes = [...result.errors.values()].map((e) => `${e.code} ${e.retryable}`).sort();
    expect(codes).toEqual(['INTERNAL false', 'LIMIT_EXCEEDED false']);
  });

  it('observes with a constant number of reads per pass, whatever the number of tenants', async () => {
    const reads = async (count: number) => {
      const b = await awsBed();
      const [acme] = await exampleManifests();
      const manifests: TenantManifest[] = Array.from({ length: count }, (_, i) => withSpec(acme, {}, `tenant-${String(i).padStart(3, '0')}`));
      await converge(b, manifests);
      b.double!.resetCalls();
      await pass(b, manifests);
      const calls = b.double!.countsByOperation();
      await b.close();
      expect(Object.keys(calls).filter((op) => WRITE.test(op.split(':')[1]))).toEqual([]);
      return calls;
    };
    const few = await reads(3);
    const many = await reads(40);
    expect(many).toEqual(few);
    expect(few).toEqual({ 'iam:GetAccountAuthorizationDetails': 1, 'secretsmanager:ListSecrets': 1, 's3:ListObjectsV2': 1, 's3:GetBucketLifecycleConfiguration': 1 });
  });

  it('rides out IAM eventual consistency: a role not visible yet is retried by the next pass, not duplicated', async () => {
    bed = await awsBed();
    bed.double!.setOptions({ eventualConsistencyMs: 60_000 });
    const manifests = await exampleManifests();
    const first = await pass(bed, manifests);
    expect([...first.errors]).toEqual([]);
    const second = await pass(bed, manifests);
    expect([...second.errors.values()].map((e) => e.retryable)).toEqual([true, true, true]);
    expect(second.errors.get('acme')!.message).toMatch(/not visible .*eventually consistent/);
    bed.clock.advance(61_000);
    expect(await converge(bed, manifests)).toBe(1);
    expect(bed.double!.countsByOperation()['iam:CreateRole']).toBe(6);
    expect(bed.double!.state.iam.liveCount()).toBe(3);
  });

  it('backs off and converges when IAM allows fewer calls per second than the client-side limit', async () => {
    bed = await awsBed({ deps: { rateLimits: { 'iam:write': { perSecond: 100, burst: 1 } } } });
    bed.double!.setOptions({ rateLimits: { iam: { perSecond: 2, burst: 2 } } });
    const started = bed.clock.now();
    await converge(bed, await exampleManifests());
    // The double allows 2 IAM calls per second; the client backs off instead of failing.
    expect(bed.clock.now() - started).toBeGreaterThan(1_000);
    expect(bed.double!.calls.filter((c) => c.service === 'iam' && c.error === 'Throttling').length).toBeGreaterThan(0);
    expect(await bed.provider.iam.listRoles('/openclaw/')).toHaveLength(3);
    expect((await bed.provider.objects.headObject(names.s3Marker('acme')))?.key).toBe(names.s3Marker('acme'));
  });
});
