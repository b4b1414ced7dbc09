import type { AgentName, Isolation } from '../../contract/catalog.js';
import type { Queryable } from './db.js';
import type { Summariser } from './model.js';
import type { RunMeter } from './meter.js';
import type { Mailer } from './mailer.js';
import type { ObjectStore } from './objects.js';

/** How the run may send email: its mailer, the sender and the tenant's recipients. */
export interface AgentMail {
  mailer: Mailer;
  from: string;
  /** The tenant's contact and the agent's configured recipients, less those who unsubscribed. */
  recipients: readonly string[];
  /** Recipient → its one-click unsubscribe link (RFC 8058). */
  unsubscribeUrls: Readonly<Record<string, string>>;
}

/** What an agent program gets: its tenant's scoped database session, object prefix and model. */
export interface AgentContext {
  tenant: string;
  /** The tenant's display name (falls back to its name). */
  displayName: string;
  agent: AgentName;
  runId: string;
  /** silo: the tenant's schema holds its private tables; pool: the shared tables do (app.digests …). */
  isolation: Isolation;
  /** A session as the tenant's runtime role with `app.tenant_id` set: RLS scopes every statement. */
  db: Queryable;
  objects: ObjectStore;
  model: Summariser;
  /** What the run used besides model tokens: items per connector, emails sent. */
  meter: RunMeter;
  /** Undefined when no sender is configured: the run sends nothing. */
  mail?: AgentMail;
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
