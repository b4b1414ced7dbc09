/**
 * Gmail into app.messages. First sync: the profile's historyId, then users.messages.list newest
 * first and users.messages.get per id, bounded by `fullSyncLimit`; then users.history.list from
 * the stored historyId (messages added, fetched; messages deleted, removed). A 404 on history (it
 * expired) starts a bounded full sync again. Attachments are never downloaded: only the text parts
 * of a message are read, truncated to `bodyMaxBytes`.
 */
import { ConnectorError, isConnectorError } from './errors.js';
import type { ProviderApi } from './http.js';
import { isRecord, record, records, text, type Json } from './json.js';
import { deleteByProviderId, upsertMessages, type MessageRow } from './rows.js';
import type { Page, Stream } from './sync.js';
import { addressList, htmlToText, truncateUtf8 } from './text.js';

export type GmailCursor =
  | { mode: 'full'; historyId: string; pageToken?: string; fetched: number }
  | { mode: 'history'; historyId: string };

export interface GmailOptions {
  bodyMaxBytes: number;
  /** Messages a first (or restarted) sync reads, newest first, before it follows history only. */
  fullSyncLimit: number;
}

const USER = '/gmail/v1/users/me';

export function gmailStream(api: ProviderApi, options: GmailOptions): Stream<GmailCursor> {
  const fetchMessages = async (ids: string[]) => {
    const rows: MessageRow[] = [];
    for (const id of ids) {
      try {
        rows.push(messageRow(await api.json(`${USER}/messages/${encodeURIComponent(id)}`, { query: { format: 'full' } }), options.bodyMaxBytes));
      } catch (error) {
        // Deleted between the listing and the read: history will report its deletion.
        if (isConnectorError(error, 'PROVIDER_REFUSED') && error.detail.status === 404) continue;
        throw error;
      }
    }
    return rows;
  };

  return {
    integration: 'google',
    name: 'gmail',
    cursorOf(stored) {
      const historyId = text(stored, 'historyId');
      if (!historyId || !/^\d+$/.test(historyId)) return undefined;
      if (text(stored, 'mode') === 'history') return { mode: 'history', historyId };
      const fetched = isRecord(stored) && typeof stored.fetched === 'number' ? stored.fetched : 0;
      return text(stored, 'mode') === 'full' ? { mode: 'full', historyId, pageToken: text(stored, 'pageToken'), fetched } : undefined;
    },

    async page(cursor, limit): Promise<Page<GmailCursor>> {
      const current: GmailCursor = cursor ?? { mode: 'full', historyId: requireText(await api.json(`${USER}/profile`), 'historyId'), fetched: 0 };
      if (current.mode === 'full') {
        const list = await api.json(`${USER}/messages`, { query: { maxResults: Math.min(limit, options.fullSyncLimit - current.fetched), pageToken: current.pageToken } });
        const rows = await fetchMessages(records(list, 'messages').map((m) => requireText(m, 'id')));
        const fetched = current.fetched + rows.length;
        const pageToken = text(list, 'nextPageToken');
        const next: GmailCursor = pageToken && fetched < options.fullSyncLimit
          ? { mode: 'full', historyId: current.historyId, pageToken, fetched }
          : { mode: 'history', historyId: current.historyId };
        return { items: rows.length, write: (scope) => upsertMessages(scope, rows), next, more: true };
      }
      let answer: unknown;
      try {
        answer = await api.json(`${USER}/history`, { query: { startHistoryId: current.historyId, maxResults: limit, historyTypes: ['messageAdded', 'messageDeleted'] } });
      } catch (error) {
        if (isConnectorError(error, 'PROVIDER_REFUSED') && error.detail.status === 404) {
          throw new ConnectorError('CURSOR_EXPIRED', 'google', `Gmail no longer has the history after ${current.historyId}`, { status: 404 }, { cause: error });
        }
        throw error;
      }
      const history = records(answer, 'history');
      const added = new Set<string>();
      const deleted = new Set<string>();
      for (const h of history) {
        for (const a of records(h, 'messagesAdded')) added.add(requireText(record(a, 'message'), 'id'));
        for (const d of records(h, 'messagesDeleted')) {
          const id = requireText(record(d, 'message'), 'id');
          added.delete(id);
          deleted.add(id);
        }
      }
      const rows = await fetchMessages([...added]);
      const more = text(answer, 'nextPageToken') !== undefined && history.length > 0;
      // Mid-history, go on after the last record read; at the end, from the mailbox's current id.
      const historyId = more ? requireText(history[history.length - 1], 'id') : requireText(answer, 'historyId');
      return {
        items: rows.length + deleted.size,
        write: async (scope) => {
          await upsertMessages(scope, rows);
          await deleteByProviderId(scope, 'messages', [...deleted]);
        },
        next: { mode: 'history', historyId },
        more,
      };
    },
  };
}

function requireText(value: unknown, key: string): string {
  const v = text(value, key);
  if (v === undefined) throw new ConnectorError('INVALID_RESPONSE', 'google', `Gmail's answer lacks ${key}`);
  return v;
}

/** A users.messages resource (format=full) as a row: headers, the text body, never an attachment. */
export function messageRow(message: unknown, bodyMaxBytes: number): MessageRow {
  const payload = record(message, 'payload');
  const header = (name: string) => records(payload, 'headers').find((h) => text(h, 'name')?.toLowerCase() === name.toLowerCase())?.value;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const internalDate = Number(text(message, 'internalDate'));
  const plain = bodyText(payload, 'text/plain');
  const html = plain === undefined ? bodyText(payload, 'text/html') : undefined;
  const body = plain ?? (html === undefined ? text(message, 'snippet') ?? '' : htmlToText(html));
  return {
    providerId: requireText(message, 'id'),
    threadId: text(message, 'threadId') ?? null,
    sender: str(header('From')).slice(0, 500) || '(unknown sender)',
    recipients: addressList(str(header('To'))).slice(0, 100),
    subject: truncateUtf8(str(header('Subject')), 1000),
    body: truncateUtf8(body.trim(), bodyMaxBytes),
    receivedAt: new Date(Number.isFinite(internalDate) ? internalDate : Date.parse(str(header('Date'))) || 0).toISOString(),
  };
}

/** The first part of `mimeType` with inline data (no filename, no attachmentId), depth first. */
function bodyText(part: Json | undefined, mimeType: string): string | undefined {
  if (!part) return undefined;
  const body = record(part, 'body');
  const isAttachment = (text(part, 'filename') ?? '') !== '' || text(body, 'attachmentId') !== undefined;
  const data = text(body, 'data');
  if (!isAttachment && text(part, 'mimeType') === mimeType && data !== undefined) return Buffer.from(data, 'base64url').toString('utf8');
  for (const child of records(part, 'parts')) {
    const found = bodyText(child, mimeType);
    if (found !== undefined) return found;
  }
  return undefined;
}
