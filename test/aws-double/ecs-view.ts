// A task as DescribeTasks / RunTask / StopTask show it at a given instant of the injected clock.
import type { Task } from '@aws-sdk/client-ecs';
import type { EcsTaskRecord } from './ecs-state.js';

export function stoppedAt(t: EcsTaskRecord): number {
  return t.stoppedAt ?? t.createdAt + t.provisioningMs + t.durationMs;
}

export function taskView(t: EcsTaskRecord, now: number, withTags: boolean): Task {
  const startedAt = t.createdAt + t.provisioningMs;
  const stopAt = stoppedAt(t);
  const stopped = now >= stopAt;
  const started = stopped ? startedAt < stopAt : now >= startedAt;
  const lastStatus = stopped ? 'STOPPED' : started ? 'RUNNING' : 'PROVISIONING';
  const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    group: t.input.group ?? `family:${t.family}`,
    startedBy: t.input.startedBy,
    launchType: t.launchType,
    capacityProviderName: t.capacityProviderName,
    platformVersion: t.launchType === 'FARGATE' ? '1.4.0' : undefined,
    cpu: t.input.overrides?.cpu ?? t.cpu,
    memory: t.input.overrides?.memory ?? t.memory,
    overrides: structuredClone(t.input.overrides ?? { containerOverrides: [] }),
    lastStatus,
    desiredStatus: stopped || t.stoppedAt !== undefined ? 'STOPPED' : 'RUNNING',
    createdAt: new Date(t.createdAt),
    startedAt: started ? new Date(startedAt) : undefined,
    stoppingAt: stopped ? date(stopAt) : undefined,
    stoppedAt: stopped ? date(stopAt) : undefined,
    executionStoppedAt: stopped && started ? date(stopAt) : undefined,
    stopCode: stopped ? t.stopCode : undefined,
    stoppedReason: stopped ? t.stoppedReason : undefined,
    version: stopped ? 3 : started ? 2 : 1,
    tags: withTags ? (t.input.tags ?? []).map((tag) => ({ ...tag })) : undefined,
    containers: t.containerNames.map((name, i) => ({
      containerArn: `${t.taskArn.replace(':task/', ':container/')}/${i}`,
      taskArn: t.taskArn,
      name,
      lastStatus: lastStatus === 'PROVISIONING' ? 'PENDING' : lastStatus,
      exitCode: stopped && started ? t.exitCode : undefined,
      reason: stopped && !started ? 'Task stopped before its containers started' : undefined,
    })),
  };
}
