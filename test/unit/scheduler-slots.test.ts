import { describe, expect, it } from 'vitest';
import { desiredTenant, desiredTenantAs, withRecordedIsolation } from '../../controller/desired/tenant.js';
import type { TenantManifest } from '../../controller/manifests/types.js';
import { toEntry } from '../../controller/scheduler/entries.js';
import { entryOf, manifestSchedules, SlotTable, type ScheduledTenant } from '../../controller/scheduler/slots.js';
import { DESIRED_CONTEXT, tenantManifest, type TenantOptions } from '../integration/scheduler-harness.js';

/** A tenant as a pass hands it over: its schedules, read from its manifest with the model the pass derived, and that manifest. */
const fromManifest = (manifest: TenantManifest): ScheduledTenant => ({ schedules: manifestSchedules(manifest, desiredTenant(manifest, DESIRED_CONTEXT).isolation, DESIRED_CONTEXT), origin: { manifest } });
const scheduled = (name: string, options: TenantOptions = {}) => fromManifest(tenantManifest(name, options));
const twoAgents: TenantOptions = { tier: 'professional', agents: [{ name: 'butler', schedule: '0 7 * * *' }, { name: 'scout', schedule: '0 */4 * * *' }] };

describe('what the scheduler holds of each schedule between passes', () => {
  it('shares one object for the schedule, zone, label and policy of every tenant on the same schedule', () => {
    const table = new SlotTable();
    table.replace([scheduled('acme', twoAgents), scheduled('globex', twoAgents), scheduled('hooli', { tier: 'professional', agents: [{ name: 'butler', schedule: '0 8 * * *' }] })]);
    const acme = table.find('acme', 'butler')!;
    expect(table.find('globex', 'butler')!.kind).toBe(acme.kind);
    expect(acme.kind).toEqual({ agent: 'butler', isolation: 'silo', schedule: '0 7 * * *', timezone: 'UTC', label: '0 7 * * * UTC', concurrencyPolicy: 'Forbid', startingDeadlineMs: 300_000 });
    expect(table.find('globex', 'scout')!.kind).toBe(table.find('acme', 'scout')!.kind);
    expect(table.find('hooli', 'butler')!.kind).not.toBe(acme.kind);
    expect(table.size).toBe(5);
  });

  it('keeps a slot and its cursor while its schedule is unchanged, and starts a new one, without a cursor, when it changes', () => {
    const table = new SlotTable();
    expect(table.replace([scheduled('acme', twoAgents)]).changed.map((s) => s.kind.agent)).toEqual(['butler', 'scout']);
    const butler = table.find('acme', 'butler')!;
    butler.at = 1;
    butler.next = 2;
    expect(table.replace([scheduled('acme', twoAgents)])).toEqual({ changed: [], removed: 0 });
    expect(table.find('acme', 'butler')).toBe(butler);
    expect(table.find('acme', 'butler')).toMatchObject({ at: 1, next: 2 });

    const { changed, removed } = table.replace([scheduled('acme', { tier: 'professional', agents: [{ name: 'butler', schedule: '0 9 * * *' }] })]);
    expect(changed.map((s) => [s.kind.agent, s.kind.label, s.at])).toEqual([['butler', '0 9 * * * UTC', undefined]]);
    expect(removed).toBe(1);
    expect(table.find('acme', 'scout')).toBeUndefined();
  });

  it('dispatches with what the newest pass derived: a changed recipient list, and secrets, from the manifest', () => {
    const table = new SlotTable();
    table.replace([scheduled('acme', { agents: [{ recipients: ['ann@acme.example'] }] })]);
    const slot = table.find('acme', 'butler')!;
    table.replace([scheduled('acme', { agents: [{ recipients: ['bob@acme.example'] }], integrations: [{ provider: 'google' }] })]);
    expect(table.find('acme', 'butler')).toBe(slot);
    expect(entryOf(slot, DESIRED_CONTEXT)).toMatchObject({
      recipients: ['ops@acme.example', 'bob@acme.example'],
      integrationSecrets: [{ provider: 'google', name: 'openclaw/tenants/acme/integrations/google' }],
    });
  });

  it('dispatches a tenant whose manifest names no model with the model its pass derived: the recorded one, during a move', () => {
    // A starter tenant recorded as silo (applied before isolation models): its manifest alone would make it pooled.
    const manifest = tenantManifest('acme', { isolation: undefined, integrations: [{ provider: 'google' }] });
    const recorded = { manifestIsolation: null, tier: 'starter' as const, isolation: 'silo' as const, lifecycle: 'Active' };
    const desired = withRecordedIsolation(desiredTenant(manifest, DESIRED_CONTEXT), manifest, recorded, DESIRED_CONTEXT);
    expect([desiredTenant(manifest, DESIRED_CONTEXT).isolation, desired.isolation]).toEqual(['pool', 'silo']);
    const table = new SlotTable();
    table.replace([{ schedules: manifestSchedules(manifest, desired.isolation, DESIRED_CONTEXT), origin: { manifest } }]);
    expect(entryOf(table.find('acme', 'butler')!, DESIRED_CONTEXT)).toEqual(toEntry(desired, desired.agents[0]));
  });

  it('holds no slot of a tenant gone from the pass or an agent no longer active, so neither is dispatched', () => {
    const table = new SlotTable();
    table.replace([scheduled('acme'), scheduled('globex', twoAgents)]);
    expect(table.replace([scheduled('globex', { ...twoAgents, agents: [{ name: 'butler', schedule: '0 7 * * *' }, { name: 'scout', schedule: '0 */4 * * *', enabled: false }] })]).removed).toBe(2);
    expect([table.find('acme', 'butler'), table.find('globex', 'scout')]).toEqual([undefined, undefined]);
    expect([...table.values()].map((s) => `${s.tenant}/${s.kind.agent}`)).toEqual(['globex/butler']);
  });

  it('reads from a manifest what its desired state says of the schedules: active agents, timing, model and secrets', () => {
    const manifests = [
      tenantManifest('acme', { ...twoAgents, integrations: [{ provider: 'google' }, { provider: 'hubspot' }] }),
      tenantManifest('globex', { isolation: undefined, integrations: [{ provider: 'google' }], agents: [{ timezone: 'Europe/Berlin', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 60 }] }),
      tenantManifest('hooli', { suspended: true }),
      tenantManifest('initech', { tier: 'starter', agents: [{}, { name: 'scout' }, { name: 'writer', enabled: false }] }),
    ];
    for (const manifest of manifests) {
      for (const isolation of ['silo', 'pool'] as const) {
        const desired = desiredTenantAs(manifest, isolation, DESIRED_CONTEXT);
        const { name, secrets, agents } = desired;
        const schedules = agents.map((a) => ({ name: a.name, active: a.active, schedule: a.schedule, timezone: a.timezone, concurrencyPolicy: a.concurrencyPolicy, startingDeadlineSeconds: a.startingDeadlineSeconds }));
        expect(manifestSchedules(manifest, isolation, DESIRED_CONTEXT)).toEqual({ name, isolation, secrets, agents: schedules });
      }
    }
  });

  it('derives the entry of a desired state handed in whole (a manual run) from that state', () => {
    const desired = desiredTenant(tenantManifest('acme'), DESIRED_CONTEXT);
    const table = new SlotTable();
    table.replace([desired]);
    expect(entryOf(table.find('acme', 'butler')!, DESIRED_CONTEXT)).toEqual(toEntry(desired, desired.agents[0]));
  });
});
