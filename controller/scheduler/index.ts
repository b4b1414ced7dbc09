/** The agent scheduler's public surface: status reads, manual runs, and the service `tenantctl run` starts. */
export { lastRuns, nextRuns, upcomingRuns, type NextRun } from './status.js';
export type { RunRecord, RunStatus, RunTrigger } from './history.js';
export { triggerRun, type TriggerResult } from './trigger.js';
export { createSchedulerService, type SchedulerSeams, type SchedulerService } from './service.js';
