/**
 * Closing a billing period and exporting it. A close takes, in one transaction, every ledger row
 * not yet billed that occurred before the period's end, and freezes the sums per (tenant, meter,
 * dimension) in openclaw.usage_exports. Exporting a closed period again reads that snapshot, so it
 * yields the same records, byte for byte; a run metered after the close (a late run) is taken by the
 * next period's close, never added to a past export.
 *
 * Each record maps one-to-one to a Stripe meter event (POST /v1/billing/meter_events):
 * event_name, payload.stripe_customer_id, payload.value, timestamp, identifier. The identifier is a
 * stable idempotency key per (tenant, period, meter, dimension): sending a file twice bills once.
 */
import { createHash } from 'node:crypto';
import { withTransaction, type Pool } from '../db/pool.js';
import { ControllerError } from '../../contract/errors.js';
import { costLines } from './cost.js';
import { isMeterName } from '../../contract/meters.js';
import type { PriceTable } from './prices.js';

export interface Period {
  /** YYYY-MM */
  period: string;
  from: Date;
  to: Date;
}

export class PeriodError extends ControllerError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'PeriodError';
  }
}

/** `2026-11` → its first instant and the next month's (UTC). */
export function parsePeriod(text: string): Period {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!match) throw new PeriodError(`--period ${JSON.stringify(text)} is not valid (allowed: a month YYYY-MM, e.g. 2026-11)`);
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { period: text, from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) };
}

/** A record as exported: the Stripe meter event, and what it stands for. */
export interface ExportRecord {
  tenant: string;
  period: string;
  meter: string;
  dimension: string;
  quantity: number;
  costUsd: number;
  customerRef: string | null;
  event: StripeMeterEvent;
}

/** The body of Stripe's "create a billing meter event". */
export interface StripeMeterEvent {
  event_name: string;
  payload: { stripe_customer_id: string; value: string };
  /** Unix seconds: the last second of the period. */
  timestamp: number;
  identifier: string;
}

/** Stable per (tenant, period, meter, dimension); at most 100 characters, as Stripe allows. */
export function recordIdentifier(tenant: string, period: string, meter: string, dimension: string): string {
  const digest = createHash('sha256').update(JSON.stringify([tenant, period, meter, dimension])).digest('hex').slice(0, 40);
  return `openclaw-${period}-${digest}`;
}

/** The meter's event name: the meter, and its dimension when it has one (a model's tokens are priced per model). */
export function eventName(meter: string, dimension: string): string {
  return (dimension ? `${meter}.${dimension}` : meter).slice(0, 100);
}

export interface CloseResult {
  period: string;
  closedAt: Date;
  /** False when the period was closed before: its records are the ones frozen then. */
  closedNow: boolean;
  records: ExportRecord[];
}

/**
 * Closes `period` (once; a second call changes nothing) and returns its records. A period that has
 * not ended at `now` cannot be closed: its usage is not final.
 */
export async function closePeriod(pool: Pool, text: string, now: Date, prices: PriceTable): Promise<CloseResult> {
  const period = parsePeriod(text);
  if (period.to.getTime() > now.getTime()) throw new PeriodError(`period ${text} has not ended yet (it ends ${period.to.toISOString()}): only a past month can be closed`);
  const closed = await withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('openclaw.usage-close'))`);
    const existing = await client.query<{ closedAt: Date }>('SELECT closed_at AS "closedAt" FROM openclaw.usage_periods WHERE period = $1', [text]);
    if (existing.rowCount) return { closedAt: existing.rows[0].closedAt, closedNow: false };
    await client.query('INSERT INTO openclaw.usage_periods (period, closed_at, prices) VALUES ($1, $2, $3)', [text, now, JSON.stringify(prices)]);
    await client.query('UPDATE openclaw.usage_records SET period = $1 WHERE period IS NULL AND occurred_at < $2', [text, period.to]);
    const { rows } = await client.query<{ tenant: string; meter: string; dimension: string; quantity: string; customerRef: string | null }>(
      `SELECT r.tenant, r.meter, r.dimension, sum(r.quantity)::text AS quantity, t.manifest #>> '{spec,billing,customerRef}' AS "customerRef"
         FROM openclaw.usage_records r LEFT JOIN openclaw.tenants t ON t.name = r.tenant
        WHERE r.period = $1 GROUP BY r.tenant, r.meter, r.dimension, t.manifest ORDER BY r.tenant, r.meter, r.dimension`,
      [text],
    );
    for (const row of rows) {
      if (!isMeterName(row.meter)) continue;
      const [line] = costLines([{ meter: row.meter, dimension: row.dimension, quantity: Number(row.quantity) }], prices);
      await client.query(
        `INSERT INTO openclaw.usage_exports (period, tenant, meter, dimension, quantity, cost_usd, customer_ref, identifier) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [text, row.tenant, row.meter, row.dimension, row.quantity, line.costUsd, row.customerRef, recordIdentifier(row.tenant, text, row.meter, row.dimension)],
      );
    }
    return { closedAt: now, closedNow: true };
  });
  return { period: text, ...closed, records: await periodRecords(pool, period) };
}

/** The frozen records of a closed period, in a stable order. */
export async function periodRecords(pool: Pool, period: Period): Promise<ExportRecord[]> {
  const { rows } = await pool.query<{ tenant: string; meter: string; dimension: string; quantity: string; costUsd: string; customerRef: string | null; identifier: string }>(
    `SELECT tenant, meter, dimension, quantity::text AS quantity, cost_usd::text AS "costUsd", customer_ref AS "customerRef", identifier
       FROM openclaw.usage_exports WHERE period = $1 ORDER BY tenant, meter, dimension`,
    [period.period],
  );
  const timestamp = Math.floor(period.to.getTime() / 1000) - 1;
  return rows.map((r) => {
    const quantity = Number(r.quantity);
    return {
      tenant: r.tenant, period: period.period, meter: r.meter, dimension: r.dimension, quantity, costUsd: Number(r.costUsd), customerRef: r.customerRef,
      event: {
        event_name: eventName(r.meter, r.dimension),
        // Stripe meters sum whole numbers: fractional seconds are rounded once, on the period's total.
        payload: { stripe_customer_id: r.customerRef ?? '', value: String(Math.round(quantity)) },
        timestamp,
        identifier: r.identifier,
      },
    };
  });
}

/** JSON Lines: one Stripe meter event per line, for the tenants that have a customer reference. */
export function toJsonLines(records: readonly ExportRecord[]): string {
  return records.filter((r) => r.customerRef).map((r) => JSON.stringify(r.event)).join('\n') + (records.some((r) => r.customerRef) ? '\n' : '');
}

const CSV_COLUMNS = ['identifier', 'event_name', 'stripe_customer_id', 'value', 'timestamp', 'tenant', 'period', 'meter', 'dimension', 'quantity', 'cost_usd'] as const;

/** CSV (RFC 4180) of every record, the Stripe fields first. */
export function toCsv(records: readonly ExportRecord[]): string {
  const cell = (value: string | number) => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = records.map((r) => [r.event.identifier, r.event.event_name, r.event.payload.stripe_customer_id, r.event.payload.value, r.event.timestamp, r.tenant, r.period, r.meter, r.dimension, r.quantity, r.costUsd.toFixed(6)].map(cell).join(','));
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}
