import { describe, expect, it } from 'vitest';
import { forecastQuotas, formatForecastRow } from '../../controller/engine/quota.js';
import { QUOTAS, type Change, type QuotaReading, type TenantPlan } from '../../controller/engine/types.js';
import { firesOnBusiestDay, launchesReading, type LaunchingTenant } from '../../controller/scheduler/launch-forecast.js';

const roles: QuotaReading = { quota: QUOTAS.iamRoles, description: 'IAM roles in the account', used: 995, limit: 1000, source: 'test' };

function change(tenant: string, action: Change['action'], quota?: string): Change {
  return { tenant, kind: 'iam', resource: `role/${tenant}`, action, before: null, after: null, destructive: false, fields: [], ...(quota ? { quota } : {}) };
}

const plan = (tenant: string, changes: Change[], paused = false): TenantPlan => ({ tenant, changes, errors: [], ...(paused ? { paused } : {}) });
const creating = (n: number) => Array.from({ length: n }, (_, i) => plan(`t${i}`, [change(`t${i}`, 'create', QUOTAS.iamRoles)]));

describe('the quota forecast', () => {
  it('holds every tenant that adds to a quota the revision would cross, with the numbers', () => {
    const { forecast, held } = forecastQuotas([roles], creating(7), 0);
    expect(forecast.rows[0]).toMatchObject({ used: 995, adds: 7, after: 1002, headroom: -2, crosses: true });
    expect(held.map((h) => h.tenant)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(held[0].reason).toBe('IAM roles in the account: this revision adds 7 to 995 in use, 1002 > the limit of 1000 (test); held until the account has room');
  });

  it('lets a revision through that fits exactly, or that frees as much as it takes', () => {
    expect(forecastQuotas([roles], creating(5), 0).held).toEqual([]);
    const swap = [...creating(6), plan('gone', [change('gone', 'delete', QUOTAS.iamRoles)])];
    expect(forecastQuotas([roles], swap, 0)).toMatchObject({ held: [], forecast: { rows: [{ adds: 5, after: 1000, headroom: 0, crosses: false }] } });
  });

  it('never holds on a quota it could not read, and counts nothing for paused tenants or other quotas', () => {
    expect(forecastQuotas([{ ...roles, limit: undefined }], creating(50), 0)).toMatchObject({ held: [], forecast: { rows: [{ adds: 50, crosses: false }] } });
    expect(forecastQuotas([{ ...roles, used: undefined }], creating(50), 0).held).toEqual([]);
    const paused = creating(10).map((p) => ({ ...p, paused: true }));
    expect(forecastQuotas([roles], paused, 0).forecast.rows[0].adds).toBe(0);
    expect(forecastQuotas([{ ...roles, quota: QUOTAS.secrets }], creating(10), 0).forecast.rows[0].adds).toBe(0);
  });

  it('takes the total after the revision from a reading that computes it, and holds the tenants it names', () => {
    const launches: QuotaReading = { quota: QUOTAS.launchesPerDay, description: 'Agent launches a day', used: 1_700_000, after: 1_730_000, addedBy: ['big'], limit: 1_728_000, source: 'test' };
    const { forecast, held } = forecastQuotas([launches], [plan('big', [])], 0);
    expect(forecast.rows[0]).toMatchObject({ adds: 30_000, headroom: -2_000, crosses: true });
    expect(held.map((h) => h.tenant)).toEqual(['big']);
    expect(formatForecastRow(forecast.rows[0])).toBe('Agent launches a day: 1,700,000 of 1,728,000 used, +30,000 → 1,730,000, over by 2,000 (HELD) [test]');
  });
});

describe('launches on the busiest day', () => {
  it('multiplies the minutes and hours a schedule matches, whatever its days', () => {
    expect(firesOnBusiestDay('*/10 * * * *')).toBe(144);
    expect(firesOnBusiestDay('0 7 * * 1-5')).toBe(1);
    expect(firesOnBusiestDay('*/15 8-17 1 * *')).toBe(40);
    expect(firesOnBusiestDay('not a schedule')).toBe(0);
  });
});

describe('the launch forecast of a mixed fleet', () => {
  const tenant = (name: string, isolation: 'silo' | 'pool' | undefined, schedule = '*/10 * * * *'): LaunchingTenant => ({
    name, suspended: false, agents: [{ active: true, schedule }], ...(isolation ? { isolation } : {}),
  });

  it("counts only silo tenants' runs as Fargate launches: pooled runs go to the long-lived workers", () => {
    const desired = [tenant('silo-a', 'silo'), tenant('pool-b', 'pool'), tenant('pool-c', 'pool', '* * * * *')];
    expect(launchesReading(desired, new Map())).toMatchObject({ used: 0, after: 144, addedBy: ['silo-a'] });
  });

  it('adds the runs of a tenant moving out of the pool, takes away those of one moving in, and reads an old record as silo', () => {
    const applied = new Map([['mover', tenant('mover', 'pool')], ['joiner', tenant('joiner', undefined)]]);
    const reading = launchesReading([tenant('mover', 'silo'), tenant('joiner', 'pool')], applied);
    expect(reading).toMatchObject({ used: 144, after: 144, addedBy: ['mover'] });
  });
});
