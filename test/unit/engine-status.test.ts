import { describe, expect, it } from 'vitest';
import { tenantStatus } from '../../controller/engine/status.js';
import type { Change } from '../../controller/engine/types.js';
import type { SourceSnapshot } from '../../controller/source/types.js';

const MODULES = [{ kind: 'secrets' }, { kind: 'postgres' }, { kind: 'iam' }];
const change = (kind: string, resource: string): Change => ({ tenant: 'acme', kind, resource, action: 'create', before: null, after: null, destructive: false, fields: [] });
const SNAPSHOT: SourceSnapshot = { revision: 'abc1234', tenants: [], issues: [], fileCount: 1 };
const T0 = Date.parse('2026-11-24T08:00:00Z');

describe('the status a pass writes for a tenant', () => {
  const changes = [change('secrets', 'secret/db'), change('postgres', 'role/x'), change('iam', 'role/y')];

  it('marks the kind that failed as Failed, the kinds never tried as Pending, and the tenant Degraded', () => {
    const status = tenantStatus({
      tenant: 'acme', snapshot: SNAPSHOT, provider: 'local', modules: MODULES, now: T0,
      desired: { suspended: false } as never,
      plan: { tenant: 'acme', changes, errors: [] },
      outcome: { tenant: 'acme', applied: [changes[0]], skipped: undefined, error: { message: 'could not create postgres role/x: boom', retryable: true, kind: 'postgres' } },
    });
    expect(status.resources.map((r) => `${r.kind}:${r.state}`)).toEqual(['secrets:Ready', 'postgres:Failed', 'iam:Pending']);
    const condition = (type: string) => status.conditions.find((c) => c.type === type);
    expect(condition('Degraded')).toMatchObject({ status: 'True', reason: 'Retrying' });
    expect(condition('Ready')).toMatchObject({ status: 'False' });
    expect(condition('Synced')).toMatchObject({ status: 'False', reason: 'ApplyFailed' });
    expect(status.lastError).toBe('could not create postgres role/x: boom');
    expect(status.terminal).toBe(false);
  });

  it('keeps lastTransitionTime while a condition keeps its status, and moves it when the status changes', () => {
    const ok = (now: number, previous?: ReturnType<typeof tenantStatus>) => tenantStatus({
      tenant: 'acme', snapshot: SNAPSHOT, provider: 'local', modules: MODULES, now,
      desired: { suspended: false } as never, plan: { tenant: 'acme', changes: [], errors: [] },
      outcome: { tenant: 'acme', applied: [], skipped: undefined },
      previous: previous ? { ...previous, lastReconcileAt: null } : undefined,
    });
    const first = ok(T0);
    const second = ok(T0 + 60_000, first);
    const ready = (s: typeof first) => s.conditions.find((c) => c.type === 'Ready')!;
    expect(ready(second).lastTransitionTime).toBe(ready(first).lastTransitionTime);
    const failed = tenantStatus({
      tenant: 'acme', snapshot: SNAPSHOT, provider: 'local', modules: MODULES, now: T0 + 120_000,
      desired: { suspended: false } as never, plan: { tenant: 'acme', changes, errors: [] },
      outcome: { tenant: 'acme', applied: [], skipped: undefined, error: { message: 'denied', retryable: false, kind: 'secrets' } },
      previous: { ...second, lastReconcileAt: null },
    });
    expect(ready(failed)).toMatchObject({ status: 'False', lastTransitionTime: new Date(T0 + 120_000).toISOString() });
    expect(failed.terminal).toBe(true);
    expect(failed.conditions.find((c) => c.type === 'Degraded')?.reason).toBe('TerminalError');
  });
});
