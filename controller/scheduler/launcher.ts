import type { ScheduleEntry } from './entries.js';

/** What a launcher needs to start one run. */
export interface LaunchRequest {
  runId: string;
  entry: ScheduleEntry;
  /** The run's environment: tenant, agent, run id and secret ARNs (never secret values). */
  env: Record<string, string>;
}

/** A task as a launcher sees it when polled. */
export interface TaskState {
  taskArn: string;
  /** `missing`: the launcher no longer knows the task; `foreign`: not this launcher's kind of task. */
  status: 'running' | 'stopped' | 'missing' | 'foreign';
  exitCode?: number;
  startedAt?: number;
  stoppedAt?: number;
  reason?: string;
  /** What the task was sized and billed as (usage metering). */
  resources?: TaskResources;
}

/** A task's size and capacity, and when its billing started (image pull, or start). */
export interface TaskResources {
  vcpu: number;
  memoryGb: number;
  capacity: 'on-demand' | 'spot';
  billedFrom?: number;
}

/**
 * Starts, stops and observes agent runs: ECS tasks (aws) or child processes (local). The scheduler
 * knows only this interface; the composition root picks the implementation.
 */
export interface Launcher {
  /** What the launcher is called in messages ("ECS", "the local launcher"). */
  readonly name: string;
  /** How often the leader asks about running tasks (ECS: every 15 s; a child's exit: every 2 s). */
  readonly pollMs: number;
  /** Launches go to AWS: their transient failures are reported as the fleet condition AwsReachable. */
  readonly awsBacked?: boolean;
  launch(request: LaunchRequest): Promise<{ taskArn: string }>;
  stop(taskArn: string, reason: string): Promise<void>;
  /** The state of each task, in batches the backend allows. */
  describe(taskArns: readonly string[]): Promise<TaskState[]>;
  /** Waits for a launch slot: launchers whose backend has no rate limit of its own. */
  pace?(): Promise<void>;
  /** Resolves when the task has ended: launchers whose tasks belong to this process (a manual run waits for it). */
  wait?(taskArn: string): Promise<void>;
  close(): Promise<void>;
}

/** A new launcher for the configured provider, or why there is none (aws without a cluster). */
export type LauncherFactory = () => Launcher | { problem: string };

/** A launch the backend refused (not a throttle: those are retried before this is thrown). */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}
