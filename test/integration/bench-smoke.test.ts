// The benchmark (npm run bench) at 20 tenants, 1 ms of latency and generous quotas, so that it does
// not rot: every scenario runs and prints its JSON object. Shapes and invariants only, never timings.
import { beforeAll, describe, expect, it } from 'vitest';
import { startAwsDoubleProcess } from '../../bench/aws-double-process.js';
import { parseOptions, POOL_SCENARIOS, SCENARIOS, type BenchOptions } from '../../bench/options.js';
import { runBench, type ScenarioResult } from '../../bench/suite.js';
import { BOUNDARY, BUCKET, CLUSTER } from '../../bench/world.js';
import { createLogger } from '../../contract/logger.js';

type Obj = Record<string, any>;

describe('npm run bench, at 20 tenants', () => {
  const results: ScenarioResult[] = [];
  const of = (scenario: string) => results.find((r) => r.scenario === scenario) as Obj;

  beforeAll(async () => {
    const options = parseOptions([
      '--tenants', '20', '--latency-ms', '1', '--scale-tenants', '100', '--launches', '20', '--launch-rate', '20', '--log-level', 'error',
      '--aws', 'iam:read=200/200,iam:write=200/200', '--client', 'iam:read=200,iam:write=200',
      '--scenarios', [...SCENARIOS, ...POOL_SCENARIOS].join(','), '--pool-tenants', '10', '--pool-runs', '10', '--pool-workers', '1,2', '--pool-idle-ms', '0',
    ], {}) as BenchOptions;
    await runBench(options, (result) => results.push(JSON.parse(JSON.stringify(result))));
  }, 240_000);

  it('prints the environment, then one JSON object per scenario, in order', () => {
    expect(results.map((r) => r.scenario)).toEqual(['environment', ...SCENARIOS, 'pool-cold-converge', 'pool-noop', 'pool-noop-restarted', 'pool-one-change', 'pool-runs', 'pool-runs', 'pool-memory']);
    expect(of('environment')).toMatchObject({ tenants: 20, latencyMs: 1, baseline: true });
    expect(of('environment').awsQuotas['iam:write']).toEqual({ perSecond: 200, burst: 200 });
  });

  it('converges every tenant cold, reports calls by operation and the rate floor, and the baseline beside it', () => {
    const cold = of('cold-converge');
    expect(cold).toMatchObject({ tenants: 20, errors: 0, throttled: expect.any(Number), wallMs: expect.any(Number), wallToFloor: expect.any(Number) });
    expect(cold.callsByOperation['iam:CreateRole']).toBe(20);
    expect(cold.floor).toMatchObject({ service: expect.any(String), seconds: expect.any(Number) });
    expect(cold.writesVsMinimum.iam).toEqual({ actual: 40, minimum: 40 });
    expect(cold.baseline).toMatchObject({ errors: 0 });
    expect(cold.baseline.aws.reads).toBeGreaterThan(cold.aws.reads);
  });

  it('resyncs without a single writing AWS call or PostgreSQL resource write, with fewer reads than the baseline', () => {
    const noop = of('noop-resync');
    expect(noop.writes).toEqual({ aws: 0, postgresResourceWrites: 0 });
    expect(noop.baseline.writes).toEqual({ aws: 0, postgresResourceWrites: 0 });
    expect(noop.errors).toBe(0);
    expect(noop.reads.total).toBeLessThan(noop.baseline.reads.total);
    // One catalog query per tenant in the naive design; a constant few in the batched one.
    expect(noop.baseline.reads.postgresCatalog).toBeGreaterThanOrEqual(20);
    expect(noop.reads.postgresCatalog).toBeLessThan(20);
    expect(noop.ratios.reads).toBeGreaterThan(1);
    expect(noop.cpuMs).toEqual(expect.any(Number));
  });

  it('converges one changed tenant in a pass of its own, and a second pass finds nothing to do', () => {
    const change = of('one-tenant-change');
    expect(change.only).toEqual([change.tenant]);
    expect(change).toMatchObject({ errors: 0, followUpChanges: 0, seenToConvergedMs: expect.any(Number) });
    expect(change.aws.writes).toBeGreaterThan(0);
    expect(change.baseline).toMatchObject({ errors: 0, followUpChanges: 0 });
  });

  it('migrates every schema in one pass, validates and holds the scale tenants, and launches every due run', () => {
    expect(of('migrations')).toMatchObject({ schemas: 20, migrated: 20, errors: 0 });
    expect(of('validate-scale')).toMatchObject({ manifests: 100, tenants: 100, issues: 0, peakRssMB: expect.any(Number) });
    expect(of('memory-scale')).toMatchObject({ tenants: 100, issues: 0, perTenantKB: expect.any(Number) });
    const linear = of('validate-linear');
    expect(linear.linearity).toMatchObject({ ratio: expect.any(Number) });
    expect(linear.series.every((p: { issues: number }) => p.issues === 0)).toBe(true);
    expect(linear.hostile.every((p: { issues: number }) => p.issues > 0)).toBe(true);
    expect(of('launch-spreading')).toMatchObject({ runs: 20, launched: 20, otherErrors: 0 });
  });

  it('runs the pooled scenarios only when named: a pooled fleet writes no IAM role or secret, a no-op pass nothing, and every queued run finishes', () => {
    expect(parseOptions([], {})).toMatchObject({ scenarios: SCENARIOS });
    const cold = of('pool-cold-converge');
    expect(cold).toMatchObject({ tenants: 10, errors: 0, writesPerTenant: { s3: expect.any(Number) } });
    expect(cold.aws.byOperation['iam:CreateRole']).toBeUndefined();
    expect(cold.aws.byOperation['secretsmanager:CreateSecret']).toBeUndefined();
    expect(of('pool-noop')).toMatchObject({ errors: 0, writes: { aws: 0, postgresResourceWrites: 0 }, idleMsBefore: 0, memory: { rssMB: expect.any(Number), heapCommittedMB: expect.any(Number), nodeFlags: expect.any(Array) } });
    expect(of('pool-one-change')).toMatchObject({ only: ['pool-00001'], errors: 0, followUpChanges: 0 });
    const runs = results.filter((r) => r.scenario === 'pool-runs') as Obj[];
    expect(runs.map((r) => [r.workers, r.ran, r.finished, r.failed])).toEqual([[1, 10, 10, 0], [2, 10, 10, 0]]);
  });

  it("serves the pooled world's AWS double from a child process over HTTP, measures each process by itself, and leaves no process behind", () => {
    // Every pooled tenant's marker reached the double across the socket (the controller's own count, 1 write a tenant at least).
    expect(of('pool-cold-converge')).toMatchObject({ awsDouble: 'process', errors: 0, awsDoubleCpuMs: expect.any(Number) });
    expect(of('pool-cold-converge').aws.byOperation['s3:PutObject']).toBeGreaterThanOrEqual(10);
    expect(of('pool-noop')).toMatchObject({ awsDouble: 'process', memory: { of: 'the controller alone (the AWS double in a child process)' }, awsDoubleProcess: { rssMB: expect.any(Number) } });
    // A controller restarted in a process of its own: its first pass changes nothing but reads each tenant's marker again (its cache was the old process's).
    const restarted = of('pool-noop-restarted');
    expect(restarted).toMatchObject({
      tenants: 10, awsDouble: 'process', idleMsBefore: 0, firstPass: { errors: 0, aws: { writes: 0 }, postgresResourceWrites: 0 },
      noop: { errors: 0, writes: { aws: 0, postgresResourceWrites: 0 }, memory: { rssMB: expect.any(Number), heapCommittedMB: expect.any(Number), collected: true } },
    });
    expect(restarted.firstPass.aws.byOperation['s3:HeadObject']).toBe(10);
    expect(restarted.noop.reads.aws).toBeLessThan(10);
    const memory = of('pool-memory');
    expect(memory).toMatchObject({ tenants: 10, awsDouble: 'process', awsDoubleBucketMB: expect.any(Number), controller: { rssMB: expect.any(Number), heldMB: expect.any(Number) } });
    expect(memory.awsDoubleProcess.pid).not.toBe(process.pid);
    expect(() => process.kill(memory.awsDoubleProcess.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

describe("the benchmark's AWS double in a child process", () => {
  it("reports the child's unexpected end with its signal, and fails every later command with it", async () => {
    const logged: string[] = [];
    const log = createLogger({ level: 'error', destination: { write: (line: string) => void logged.push(line) } });
    const host = await startAwsDoubleProcess({ latencyMs: 0, iamMaxRoles: 1000, bucket: BUCKET, boundaryPolicyArn: BOUNDARY, cluster: CLUSTER, taskDefinitions: ['openclaw-agent-butler'] }, log);
    expect(await host.usage()).toMatchObject({ pid: host.pid, countsByOperation: {} });
    process.kill(host.pid!, 'SIGKILL');
    await expect(host.usage()).rejects.toThrow(`the AWS double's process (pid ${host.pid}) was killed by SIGKILL`);
    await expect(host.resetCalls()).rejects.toThrow('was killed by SIGKILL');
    expect(logged.join('')).toContain("the AWS double's process ended unexpectedly");
    await host.close();
  }, 60_000);
});
