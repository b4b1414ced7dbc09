import { describe, expect, it } from 'vitest';
import { TerminalError, TransientError } from '../../contract/errors.js';
import { afterLaunchFailure, launchBackoff } from '../../controller/scheduler/launch-retry.js';

const outage = new TransientError('could not ecs:RunTask after 8 attempts: ServerException');
const at = (seconds: number) => Date.UTC(2026, 11, 3, 7, 0, 0) + seconds * 1000;

describe('retrying a failed launch', () => {
  it('backs off between half and all of a doubling delay, capped at two minutes', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => launchBackoff(n, () => 0))).toEqual([7_500, 15_000, 30_000, 60_000, 60_000, 60_000]);
    expect([1, 2, 3, 4, 5, 9].map((n) => launchBackoff(n, () => 0.999999))).toEqual([14_999, 29_999, 59_999, 119_999, 119_999, 119_999]);
  });

  it('retries a transient failure while the starting deadline is open, the last attempt at the deadline', () => {
    const early = afterLaunchFailure({ error: outage, attempts: 1, scheduledAt: at(0), startingDeadlineMs: 600_000, now: at(5) }, () => 0);
    expect(early).toEqual({ retryAt: at(12.5), reason: `launch failed (1 attempt), retrying at ${new Date(at(12.5)).toISOString()}: ${outage.message}` });
    const late = afterLaunchFailure({ error: outage, attempts: 6, scheduledAt: at(0), startingDeadlineMs: 600_000, now: at(590) }, () => 0);
    expect(late).toMatchObject({ retryAt: at(600) });
  });

  it('fails the run once the deadline has passed, or at once when the launch was refused', () => {
    expect(afterLaunchFailure({ error: outage, attempts: 7, scheduledAt: at(0), startingDeadlineMs: 600_000, now: at(600) }, () => 0))
      .toEqual({ reason: `could not launch within the starting deadline of 600s (7 attempts): ${outage.message}` });
    const denied = new TerminalError('PERMISSION_DENIED', 'ecs:RunTask: AccessDeniedException: not authorized to perform iam:PassRole');
    expect(afterLaunchFailure({ error: denied, attempts: 1, scheduledAt: at(0), startingDeadlineMs: 600_000, now: at(1) }, () => 0))
      .toEqual({ reason: `could not launch: ${denied.message}` });
  });
});
