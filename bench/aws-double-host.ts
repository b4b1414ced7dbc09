/**
 * Where the benchmark's AWS double lives, behind one interface: in the benchmark's own process, its SDK
 * clients attached to it (`inline`), or in a child process of its own serving it over HTTP (`process`,
 * aws-double-child.ts), which the controllers reach through AWS_ENDPOINT_URL as a deployed controller
 * reaches AWS, so that the benchmark process's memory and CPU are the controller's alone.
 */
import type { AwsClients } from '../controller/providers/aws/clients.js';
import { createAwsDouble, type AwsDouble } from '../test/aws-double/index.js';
import { round } from './limits.js';
import { collect } from './collect.js';

export type AwsDoubleWhere = 'inline' | 'process';
export const AWS_DOUBLE_WHERE: readonly AwsDoubleWhere[] = ['inline', 'process'];

/** What the world's double is made with: its options and what Terraform would have made in the account. */
export interface DoubleSetup {
  latencyMs: number;
  iamMaxRoles: number;
  bucket: string;
  boundaryPolicyArn: string;
  cluster: string;
  taskDefinitions: string[];
}

/** The process the double runs in: its CPU since it started, its memory, and the calls served since the last reset. */
export interface AwsDoubleUsage {
  pid: number;
  cpuMs: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  peakRssMB: number;
  countsByOperation: Record<string, number>;
}

/** What of the double's process is its bucket: heap + external before and after dropping it, collected with --expose-gc. */
export interface BucketShare {
  collected: boolean;
  heldMB: number;
  bucketMB: number;
  rssMB: number;
}

export interface AwsDoubleHost {
  where: AwsDoubleWhere;
  /** The controller's environment to reach it (AWS_ENDPOINT_URL, path-style S3); none inline. */
  env: Record<string, string>;
  /** Inline: attaches the SDK clients to the double. Over HTTP there is nothing to attach. */
  attach(clients: AwsClients): void;
  resetCalls(): Promise<void>;
  /** Inline, the figures are the benchmark process's own (the controller's and the double's together). */
  usage(): Promise<AwsDoubleUsage>;
  /** Drops the double's buckets (run last) and says what they held. */
  bucketShare(): Promise<BucketShare>;
  /** The child process's id, when the double is in one. */
  pid?: number;
  /** The double itself, when it is in this process. */
  inline?: AwsDouble;
  close(): Promise<void>;
}

const MB = 2 ** 20;
const mb = (bytes: number) => round(bytes / MB, 1);

export function createBenchDouble(setup: DoubleSetup): AwsDouble {
  const double = createAwsDouble({ latencyMs: setup.latencyMs, iamMaxRoles: setup.iamMaxRoles });
  double.state.s3.createBucket(setup.bucket);
  double.state.iam.boundaryPolicies = new Set([setup.boundaryPolicyArn]);
  double.state.ecs.createCluster(setup.cluster);
  for (const name of setup.taskDefinitions) double.state.ecs.registerTaskDefinition(name, { containerNames: ['agent'] });
  return double;
}

/** Calls by `service:Operation`, kept as counts so that the double's log of every call (with its input) can be emptied. */
export class CallTally {
  private readonly counts = new Map<string, number>();

  /** Adds the double's logged calls to the counts and empties its log. */
  fold(double: AwsDouble): void {
    for (const c of double.calls) {
      const key = `${c.service}:${c.operation}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    double.resetCalls();
  }

  reset(double: AwsDouble): void {
    double.resetCalls();
    this.counts.clear();
  }

  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

/** This process's usage, with the double's calls counted by `tally`. */
export function processUsage(double: AwsDouble, tally: CallTally): AwsDoubleUsage {
  tally.fold(double);
  const usage = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    pid: process.pid, cpuMs: round((cpu.user + cpu.system) / 1000, 1), rssMB: mb(usage.rss), heapUsedMB: mb(usage.heapUsed), externalMB: mb(usage.external),
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024), countsByOperation: tally.byOperation(),
  };
}

/** Drops the double's buckets and measures what they held in this process. */
export function dropBuckets(double: AwsDouble, tally: CallTally): BucketShare {
  collect();
  const held = process.memoryUsage();
  double.state.s3.buckets.clear();
  tally.reset(double);
  collect();
  const without = process.memoryUsage();
  const heap = (u: NodeJS.MemoryUsage) => u.heapUsed + u.external;
  return { collected: 'gc' in globalThis, heldMB: mb(heap(held)), bucketMB: mb(heap(held) - heap(without)), rssMB: mb(held.rss) };
}

/** The double in this process, its SDK clients attached to it. */
export function inlineDoubleHost(setup: DoubleSetup): AwsDoubleHost {
  const double = createBenchDouble(setup);
  const tally = new CallTally();
  return {
    where: 'inline', env: {}, inline: double,
    attach: (clients) => double.attachAll(clients),
    resetCalls: async () => tally.reset(double),
    usage: async () => processUsage(double, tally),
    bucketShare: async () => dropBuckets(double, tally),
    close: async () => {},
  };
}
