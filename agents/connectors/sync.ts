/**
 * The loop every stream runs in: read its cursor, then page by page fetch, write the rows and the
 * next cursor in one transaction, count the items, until the stream is caught up or the run's
 * maximum is reached (the next run goes on from the cursor). A cursor the provider no longer knows
 * restarts the stream once with a full sync.
 */
import type { Queryable } from '../runtime/db.js';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import { isConnectorError } from './errors.js';
import type { Scope } from './rows.js';
import { inTransaction, readCursor, writeCursor } from './store.js';

export interface Page<C> {
  /** Items ingested (written or deleted) by this page. */
  items: number;
  write(scope: Scope): Promise<void>;
  next: C;
  /** False when the stream is caught up. */
  more: boolean;
}

export interface Stream<C> {
  readonly integration: IntegrationProviderName;
  /** The stream's name among the integration's cursors (gmail, calendar, mail, calendarView, contacts…). */
  readonly name: string;
  /** The stored cursor when it is one of this stream's, else undefined (a full sync). */
  cursorOf(stored: unknown): C | undefined;
  page(cursor: C | undefined, limit: number): Promise<Page<C>>;
}

export interface SyncContext {
  db: Queryable;
  tenant: string;
  pageSize: number;
  maxItems: number;
  itemsIngested(integration: IntegrationProviderName, count: number): void;
  log(message: string, fields?: Record<string, unknown>): void;
}

export interface SyncOutcome {
  integration: IntegrationProviderName;
  stream: string;
  items: number;
  pages: number;
  /** The stored cursor had expired: the stream started over. */
  restarted: boolean;
  /** Caught up, as opposed to stopped at the run's maximum. */
  complete: boolean;
}

export async function syncStream<C>(stream: Stream<C>, ctx: SyncContext): Promise<SyncOutcome> {
  const scope: Scope = { db: ctx.db, tenant: ctx.tenant, integration: stream.integration };
  let cursor = stream.cursorOf(await readCursor(ctx.db, ctx.tenant, stream.integration, stream.name));
  const outcome: SyncOutcome = { integration: stream.integration, stream: stream.name, items: 0, pages: 0, restarted: false, complete: false };
  while (outcome.items < ctx.maxItems) {
    let page: Page<C>;
    try {
      page = await stream.page(cursor, Math.min(ctx.pageSize, ctx.maxItems - outcome.items));
    } catch (error) {
      if (isConnectorError(error, 'CURSOR_EXPIRED') && cursor !== undefined && !outcome.restarted) {
        ctx.log('the provider no longer knows the stored cursor: starting a full sync', { integration: stream.integration, stream: stream.name, reason: error.message });
        cursor = undefined;
        outcome.restarted = true;
        continue;
      }
      throw error;
    }
    await inTransaction(ctx.db, async () => {
      await page.write(scope);
      await writeCursor(ctx.db, ctx.tenant, stream.integration, stream.name, page.next);
    });
    outcome.items += page.items;
    outcome.pages += 1;
    if (page.items > 0) ctx.itemsIngested(stream.integration, page.items);
    cursor = page.next;
    if (!page.more) {
      outcome.complete = true;
      break;
    }
  }
  return outcome;
}
