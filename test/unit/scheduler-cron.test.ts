import { CronExpression } from 'cron-parser';
import { describe, expect, it, vi } from 'vitest';
import { latestFires, nextFire, nextFires } from '../../controller/scheduler/cron.js';
import { resumeFrom } from '../../controller/scheduler/schedules.js';

const t = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

describe('cron in a time zone', () => {
  it('fires at the local time of the zone, across a daylight saving change', () => {
    expect(nextFires('0 7 * * *', 'Europe/Berlin', t('2025-03-29T12:00:00Z'), 2).map(iso)).toEqual(['2025-03-30T05:00:00.000Z', '2025-03-31T05:00:00.000Z']);
    expect(iso(nextFire('0 7 * * 1-5', 'America/New_York', t('2025-01-04T00:00:00Z'))!)).toBe('2025-01-06T12:00:00.000Z');
  });

  it('gives the first fire strictly after the instant', () => {
    expect(iso(nextFire('*/5 * * * *', 'UTC', t('2025-01-06T09:05:00Z'))!)).toBe('2025-01-06T09:10:00.000Z');
    expect(iso(nextFire('*/5 * * * *', 'UTC', t('2025-01-06T09:05:00Z') - 1)!)).toBe('2025-01-06T09:05:00.000Z');
  });

  it('has no next fire for an expression it cannot parse', () => {
    expect(nextFire('not cron', 'UTC', 0)).toBeUndefined();
  });
});

describe('the fires due since a cursor', () => {
  it('lists them oldest first, up to and including now', () => {
    const { fires, more } = latestFires('*/5 * * * *', 'UTC', t('2025-01-06T09:00:00Z'), t('2025-01-06T09:15:00Z'), 10);
    expect(fires.map(iso)).toEqual(['2025-01-06T09:05:00.000Z', '2025-01-06T09:10:00.000Z', '2025-01-06T09:15:00.000Z']);
    expect(more).toBe(false);
  });

  it('keeps only the newest ones after a long outage, and says there were more, without walking the whole outage', () => {
    const steps = vi.spyOn(CronExpression.prototype, 'prev');
    const { fires, more } = latestFires('* * * * *', 'UTC', t('2024-01-01T00:00:00Z'), t('2025-01-06T09:00:00Z'), 3);
    // A year of minutely fires is behind the cursor: the walk stops one fire past the three it keeps.
    expect(steps).toHaveBeenCalledTimes(4);
    steps.mockRestore();
    expect(fires.map(iso)).toEqual(['2025-01-06T08:58:00.000Z', '2025-01-06T08:59:00.000Z', '2025-01-06T09:00:00.000Z']);
    expect(more).toBe(true);
  });

  it('resumes from the later of the last recorded fire and the activation, never from the future', () => {
    const now = t('2025-01-06T12:00:00Z');
    expect(resumeFrom(undefined, now)).toBe(now - 1);
    expect(resumeFrom({ activeSince: t('2025-01-06T00:00:00Z') }, now)).toBe(t('2025-01-06T00:00:00Z') - 1);
    expect(resumeFrom({ activeSince: t('2025-01-06T00:00:00Z'), lastFire: t('2025-01-06T11:00:00Z') }, now)).toBe(t('2025-01-06T11:00:00Z'));
    expect(resumeFrom({ activeSince: t('2025-01-06T11:30:00Z'), lastFire: t('2025-01-06T11:00:00Z') }, now)).toBe(t('2025-01-06T11:30:00Z') - 1);
  });
});
