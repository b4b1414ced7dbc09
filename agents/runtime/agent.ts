import type { AgentName } from '../../contract/catalog.js';
import type { Queryable } from './db.js';
import type { Summariser } from './model.js';
import type { RunMeter } from './meter.js';
import type { ObjectStore } from './objects.js';

/** What an agent program gets: its tenant's scoped database session, object prefix and model. */
export interface AgentContext {
  tenant: string;
  agent: AgentName;
  runId: string;
  /** A session as the tenant's runtime role with `app.tenant_id` set: RLS scopes every statement. */
  db: Queryable;
  objects: ObjectStore;
  model: Summariser;
  /** What the run used besides model tokens: items per connector, emails sent. */
  meter: RunMeter;
  now(): Date;
  log(message: string, fields?: Record<string, unknown>): void;
}

export interface AgentOutput {
  kind: string;
  key: string;
  summary: string;
}

export interface AgentResult {
  itemsProcessed: number;
  outputs: AgentOutput[];
}

export type AgentProgram = (ctx: AgentContext) => Promise<AgentResult>;

/** `YYYY-MM-DD` of an instant in UTC. */
export const isoDate = (at: Date) => at.toISOString().slice(0, 10);
