import type { Launcher, LaunchRequest, TaskState } from '../scheduler/launcher.js';
import type { PoolQueue } from './queue.js';

/** Pooled runs are "tasks" named after their run: `pool:<run id>`. */
export const POOL_TASK_PREFIX = 'pool:';
const runOf = (taskArn: string) => taskArn.slice(POOL_TASK_PREFIX.length);

/**
 * The pooled workers seen as a launcher: a launch queues the run (its environment, never a secret
 * value), describe reads the queue row, stop ends a run no worker has claimed yet (a claimed one
 * finishes on its worker, whose exit is then recorded).
 */
export function pooledLauncher(queue: PoolQueue, pollMs = 2_000): Launcher {
  return {
    name: 'the pooled workers',
    pollMs,
    async launch(request: LaunchRequest) {
      await queue.enqueue({ runId: request.runId, tenant: request.entry.tenant, agent: request.entry.agent, env: request.env, entry: request.entry });
      return { taskArn: `${POOL_TASK_PREFIX}${request.runId}` };
    },
    async stop(taskArn, reason) {
      await queue.finish(runOf(taskArn), null, reason);
    },
    async describe(taskArns) {
      const rows = new Map((await queue.rows(taskArns.map(runOf))).map((r) => [r.runId, r]));
      return taskArns.map((taskArn): TaskState => {
        const row = rows.get(runOf(taskArn));
        if (!row) return { taskArn, status: 'missing' };
        if (!row.finishedAt) return { taskArn, status: 'running', ...(row.claimedAt ? { startedAt: row.claimedAt.getTime() } : {}) };
        return {
          taskArn, status: 'stopped', stoppedAt: row.finishedAt.getTime(), ...(row.claimedAt ? { startedAt: row.claimedAt.getTime() } : {}),
          ...(row.exitCode !== null ? { exitCode: row.exitCode } : {}), ...(row.reason ? { reason: row.reason } : {}),
        };
      });
    },
    async close() {},
  };
}

/** Silo runs to the tenant's own tasks, pooled runs to the queue; tasks are told apart by their name. */
export function byIsolation(silo: Launcher, pooled: Launcher): Launcher {
  const owner = (taskArn: string) => (taskArn.startsWith(POOL_TASK_PREFIX) ? pooled : silo);
  return {
    name: silo.name,
    pollMs: Math.min(silo.pollMs, pooled.pollMs),
    awsBacked: silo.awsBacked,
    launch: (request) => (request.entry.isolation === 'pool' ? pooled.launch(request) : silo.launch(request)),
    stop: (taskArn, reason) => owner(taskArn).stop(taskArn, reason),
    async describe(taskArns) {
      const pool = taskArns.filter((t) => t.startsWith(POOL_TASK_PREFIX));
      const rest = taskArns.filter((t) => !t.startsWith(POOL_TASK_PREFIX));
      const [a, b] = await Promise.all([pool.length ? pooled.describe(pool) : [], rest.length ? silo.describe(rest) : []]);
      return [...a, ...b];
    },
    ...(silo.pace ? { pace: () => silo.pace!() } : {}),
    ...(silo.wait ? { wait: (taskArn: string) => (taskArn.startsWith(POOL_TASK_PREFIX) ? Promise.resolve() : silo.wait!(taskArn)) } : {}),
    async close() {
      await Promise.all([silo.close(), pooled.close()]);
    },
  };
}
