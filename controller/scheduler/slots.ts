import type { AgentName, Isolation } from '../../contract/catalog.js';
import { agentActive, desiredTenantAs, tenantSecrets } from '../desired/tenant.js';
import type { DesiredAgent, DesiredContext, DesiredTenant } from '../desired/types.js';
import type { ConcurrencyPolicy, LoadedTenant, TenantManifest } from '../manifests/types.js';
import { scheduleLabel } from './cron.js';
import { toEntry, type ScheduleEntry } from './entries.js';

/**
 * An agent, when it fires, how its runs are claimed and the tenant's model: what slots have in common.
 * Immutable, and one object for all the slots with the same values: a fleet of tenants on a few
 * schedules holds a few of these, not one per tenant.
 */
export interface Kind {
  readonly agent: AgentName;
  /** The model the tenant's desired state was derived with (a recorded one while a manifest names none). */
  readonly isolation: Isolation;
  readonly schedule: string;
  readonly timezone: string;
  /** schedule and time zone together: stored with each run. */
  readonly label: string;
  readonly concurrencyPolicy: ConcurrencyPolicy;
  readonly startingDeadlineMs: number;
}

/**
 * Where a tenant's full desired state is derived again from when one of its runs is dispatched: the
 * manifest a pass derived it from (the snapshot holds it anyway), or a desired state handed in whole
 * (a manual run, tests).
 */
export type DesiredOrigin = Pick<LoadedTenant, 'manifest'> | DesiredTenant;

/** What slots are made of: a tenant's name, model, secrets and agents (a desired state has all of it). */
export interface TenantSchedules {
  readonly name: string;
  readonly isolation: Isolation;
  readonly secrets: DesiredTenant['secrets'];
  readonly agents: readonly Pick<DesiredAgent, 'name' | 'active' | 'schedule' | 'timezone' | 'concurrencyPolicy' | 'startingDeadlineSeconds'>[];
}

/**
 * A tenant handed to the scheduler: a desired state whole, or, from a pass, its schedules with the
 * manifest they were read from (what its runs' entries are derived from again).
 */
export type ScheduledTenant = DesiredTenant | { schedules: TenantSchedules; origin: Pick<LoadedTenant, 'manifest'> };

/**
 * A tenant's schedules read from its manifest, with the model its pass derived: what its desired state
 * says of them, without deriving the rest of it (policies, tags, limits) after every pass.
 */
export function manifestSchedules(manifest: TenantManifest, isolation: Isolation, ctx: Pick<DesiredContext, 'secretsPrefix'>): TenantSchedules {
  const { spec } = manifest;
  return {
    name: manifest.metadata.name,
    isolation,
    secrets: tenantSecrets(manifest, isolation, ctx),
    agents: spec.agents.map((agent) => ({
      name: agent.name, schedule: agent.schedule, timezone: agent.timezone, concurrencyPolicy: agent.concurrencyPolicy,
      startingDeadlineSeconds: agent.startingDeadlineSeconds, active: agentActive(spec, agent),
    })),
  };
}

/**
 * What the scheduler holds of one active agent between passes: what ticking reads every second. The
 * rest of a run's entry (role, tags, secrets, limits, recipients) is derived again when it is dispatched.
 */
export interface Slot {
  readonly tenant: string;
  kind: Kind;
  origin: DesiredOrigin;
  /** The cursor, while leading: the last fire dealt with (run, skipped or recorded missed), and the next one. */
  at: number | undefined;
  next: number | undefined;
}

/** The schedules of a scheduled tenant. */
export const schedulesOf = (input: ScheduledTenant): TenantSchedules => ('origin' in input ? input.schedules : input);

/** A tenant's slots: the one of a tenant with one active agent, else a list. */
type TenantSlots = Slot | readonly Slot[];

/**
 * The slots of a fleet, built from each pass's desired states, by tenant (no key string and no table
 * entry per agent). A slot whose schedule is unchanged is the same object pass after pass, its cursor
 * kept and its kind and origin brought up to date; a changed schedule gets a new slot (and no cursor
 * until it is placed).
 */
export class SlotTable {
  private tenants = new Map<string, TenantSlots>();
  private kinds = new Map<string, Kind>();
  private count = 0;

  /** Replaces the table with `tenants`' active agents; returns the slots whose label is new, and how many agents are gone. */
  replace(tenants: Iterable<ScheduledTenant>): { changed: Slot[]; removed: number } {
    const next = new Map<string, TenantSlots>();
    const kinds = new Map<string, Kind>();
    const changed: Slot[] = [];
    let count = 0;
    let kept = 0;
    for (const input of tenants) {
      const desired = schedulesOf(input);
      const origin = 'origin' in input ? input.origin : input;
      const slots: Slot[] = [];
      for (const agent of desired.agents) {
        if (!agent.active) continue;
        const kind = this.kindOf(agent, desired.isolation, kinds);
        let slot = this.find(desired.name, agent.name);
        if (slot) kept++;
        if (!slot || slot.kind.label !== kind.label) {
          changed.push((slot = { tenant: desired.name, kind, origin, at: undefined, next: undefined }));
        } else {
          slot.kind = kind;
          slot.origin = origin;
        }
        slots.push(slot);
      }
      // A copy: the list it was pushed into has room for more.
      if (slots.length > 0) next.set(desired.name, slots.length === 1 ? slots[0] : slots.slice());
      count += slots.length;
    }
    const removed = this.count - kept;
    this.tenants = next;
    this.kinds = kinds;
    this.count = count;
    return { changed, removed };
  }

  /** The one Kind object for an agent's values: this pass's, the last pass's, or a new one. */
  private kindOf(agent: TenantSchedules['agents'][number], isolation: Isolation, kinds: Map<string, Kind>): Kind {
    const id = `${agent.name}\0${isolation}\0${agent.schedule}\0${agent.timezone}\0${agent.concurrencyPolicy}\0${agent.startingDeadlineSeconds}`;
    const kind = kinds.get(id) ?? this.kinds.get(id) ?? {
      agent: agent.name, isolation, schedule: agent.schedule, timezone: agent.timezone, label: scheduleLabel(agent.schedule, agent.timezone),
      concurrencyPolicy: agent.concurrencyPolicy, startingDeadlineMs: agent.startingDeadlineSeconds * 1000,
    };
    kinds.set(id, kind);
    return kind;
  }

  find(tenant: string, agent: string): Slot | undefined {
    const slots = this.tenants.get(tenant);
    if (slots === undefined || 'kind' in slots) return slots?.kind.agent === agent ? slots : undefined;
    return slots.find((slot) => slot.kind.agent === agent);
  }

  /** Every slot, tenant by tenant, of the table as it is now (a later replace does not change what this goes through). */
  *values(): Generator<Slot> {
    for (const slots of this.tenants.values()) {
      if ('kind' in slots) yield slots;
      else yield* slots;
    }
  }

  get size(): number {
    return this.count;
  }
}

/**
 * The tenant's desired state as the scheduler last received it: derived again from its manifest with
 * the model it was derived with, so the same state the pass derived (a recorded model during a move too).
 */
export function desiredOf(slot: Pick<Slot, 'origin' | 'kind'>, ctx: DesiredContext): DesiredTenant {
  return 'manifest' in slot.origin ? desiredTenantAs(slot.origin.manifest, slot.kind.isolation, ctx) : slot.origin;
}

/** The full entry of a slot's run, from its tenant's desired state; undefined when the agent is not active in it. */
export function entryOf(slot: Slot, ctx: DesiredContext): ScheduleEntry | undefined {
  const desired = desiredOf(slot, ctx);
  const agent = desired.agents.find((a) => a.name === slot.kind.agent);
  return agent?.active ? toEntry(desired, agent) : undefined;
}
