import { CronExpressionParser } from 'cron-parser';

/** Pure cron arithmetic in a time zone, on epoch milliseconds (cron-parser v5). */

/** The first fire strictly after `after`, or undefined when the expression has none. */
export function nextFire(expression: string, timezone: string, after: number): number | undefined {
  try {
    return CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(after) }).next().getTime();
  } catch {
    return undefined;
  }
}

/** The next `count` fires strictly after `after`. */
export function nextFires(expression: string, timezone: string, after: number, count: number): number[] {
  const parsed = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(after) });
  const fires: number[] = [];
  while (fires.length < count && parsed.hasNext()) fires.push(parsed.next().getTime());
  return fires;
}

/**
 * The latest fires in (after, upTo], oldest first: at most `limit`, found walking back from `upTo`, so
 * the cost does not grow with the length of an outage. `more` says that older fires were left out.
 */
export function latestFires(expression: string, timezone: string, after: number, upTo: number, limit: number): { fires: number[]; more: boolean } {
  if (upTo <= after) return { fires: [], more: false };
  const parsed = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(upTo + 1) });
  const fires: number[] = [];
  while (parsed.hasPrev()) {
    const at = parsed.prev().getTime();
    if (at <= after) return { fires: fires.reverse(), more: false };
    if (fires.length === limit) return { fires: fires.reverse(), more: true };
    fires.push(at);
  }
  return { fires: fires.reverse(), more: false };
}

/** The label stored with each scheduled run: a catch-up never crosses a change of it. */
export const scheduleLabel = (expression: string, timezone: string) => `${expression} ${timezone}`;
