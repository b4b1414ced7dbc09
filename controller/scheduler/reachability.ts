import type { Logger } from 'pino';
import { errorMessage, isRetryable } from '../../contract/errors.js';
import type { StatusStore } from '../status/store.js';

/**
 * The fleet condition AwsReachable, as the scheduler sees it through its launches: False from a launch
 * that failed on a transient error (AWS unreachable, failing or throttling past the caller's retries)
 * until a launch succeeds. It is a condition in the fleet status (API, `tenantctl status`, the page),
 * not a reason for /readyz to fail: readiness says whether this process can serve and lead, and an ALB
 * or ECS health check that failed it during an AWS outage would replace a healthy controller, drop its
 * lease and take the ops API away exactly when it is needed; no restart brings AWS back.
 */
export interface AwsReachableCondition {
  type: 'AwsReachable';
  status: 'True' | 'False';
  reason: 'LaunchSucceeded' | 'LaunchFailing';
  message: string;
  lastTransitionTime: string;
}

/** Where the condition is kept (openclaw.controller_state). */
export const AWS_REACHABLE_KEY = 'awsReachable';

export interface LaunchOutcomes {
  succeeded(): Promise<void>;
  failed(error: unknown): Promise<void>;
}

/** Writes the condition when its status changes: one write per transition, none per launch. */
export class AwsReachability implements LaunchOutcomes {
  private status?: AwsReachableCondition['status'];

  constructor(private readonly options: { store: Pick<StatusStore, 'setState'>; now: () => number; log: Logger }) {}

  succeeded(): Promise<void> {
    return this.set('True', 'LaunchSucceeded', 'agent tasks are launching');
  }

  /** Only transient failures say anything about reachability; a refused launch (access denied, a bad request) does not. */
  async failed(error: unknown): Promise<void> {
    if (!isRetryable(error)) return;
    await this.set('False', 'LaunchFailing', `launching agent tasks fails: ${errorMessage(error)}; runs are retried within their starting deadline`);
  }

  private async set(status: AwsReachableCondition['status'], reason: AwsReachableCondition['reason'], message: string): Promise<void> {
    if (this.status === status) return;
    const condition: AwsReachableCondition = { type: 'AwsReachable', status, reason, message, lastTransitionTime: new Date(this.options.now()).toISOString() };
    await this.options.store.setState(AWS_REACHABLE_KEY, condition);
    this.status = status;
    if (status === 'False') this.options.log.warn({ reason, message }, 'AWS unreachable: agent launches are failing');
    else this.options.log.info({ reason }, 'AWS reachable: agent launches succeed');
  }
}
