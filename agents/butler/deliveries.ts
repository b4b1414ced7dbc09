/**
 * The run's delivery ledger: which recipients its digest was already handed to. A run that is started
 * again under the same id (a pooled worker lost mid-run, its claim taken over) reads it and sends only
 * to the others. It lives in the tenant's prefix, not in the run's database transaction, because that
 * transaction is rolled back when a later send fails: the mail it sent is not.
 */
import { agentObjectPrefix } from '../../contract/agent-env.js';
import { isRecord } from '../../contract/json.js';

/** One message of the digest, accepted by the mailer. */
export interface Delivery {
  to: string;
  messageId: string;
  location: string;
}

export class DeliveryLedgerError extends Error {
  constructor(readonly key: string, problem: string, options: { cause?: unknown } = {}) {
    super(`the delivery ledger ${key} ${problem}: no digest is sent, since who already received it is unknown`, options);
    this.name = 'DeliveryLedgerError';
  }
}

export function deliveryLedgerKey(tenant: string, agent: string, runId: string): string {
  return `${agentObjectPrefix(tenant, agent)}deliveries/${runId}.json`;
}

/** The ledger's text, written after every accepted message. */
export function ledgerText(runId: string, deliveries: readonly Delivery[]): string {
  return `${JSON.stringify({ runId, deliveries })}\n`;
}

const isDelivery = (value: unknown): value is Delivery =>
  isRecord(value) && typeof value.to === 'string' && typeof value.messageId === 'string' && typeof value.location === 'string';

/** Reads a stored ledger; one that is not the run's or not a list of deliveries is refused, never guessed at. */
export function parseLedger(text: string, key: string, runId: string): Delivery[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DeliveryLedgerError(key, 'is not JSON', { cause: error });
  }
  if (!isRecord(parsed) || parsed.runId !== runId) throw new DeliveryLedgerError(key, `is not the ledger of run ${runId}`);
  const { deliveries } = parsed;
  if (!Array.isArray(deliveries) || !deliveries.every(isDelivery)) throw new DeliveryLedgerError(key, 'does not list deliveries as {to, messageId, location}');
  return deliveries;
}
