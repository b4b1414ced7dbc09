import type { Pool } from '../db/pool.js';
import { errorMessage } from '../../contract/errors.js';
import type { Principal } from '../status/access/principal.js';
import { recordAudit } from './audit.js';

export interface ActionTarget {
  action: string;
  /** What the action is on: a tenant, tenant/agent, a revision, "source". */
  target: string;
  tenant?: string;
}

export interface ActionDone<T> {
  result: T;
  ok: boolean;
  /** Why it failed, or what it did; never a secret. */
  message?: string;
  /** The revision in force when it ran. */
  revision?: string;
}

/**
 * Runs an operator action and records it in the audit log, whatever its end: succeeded, failed (with
 * the reason), or failed by an error (recorded, then thrown on). The API, the page and the CLI all act
 * through this.
 */
export async function auditedAction<T>(pool: Pick<Pool, 'query'>, principal: Principal, target: ActionTarget, run: () => Promise<ActionDone<T>>): Promise<ActionDone<T>> {
  let done: ActionDone<T>;
  try {
    done = await run();
  } catch (error) {
    await recordAudit(pool, { principal, ...target, result: 'failed', message: errorMessage(error) });
    throw error;
  }
  await recordAudit(pool, { principal, ...target, revision: done.revision, result: done.ok ? 'succeeded' : 'failed', message: done.message });
  return done;
}
