/**
 * Gmail API v1, the part a mail connector reads (google/gmail.v1.json): users.getProfile,
 * users.messages.list and get (format full, metadata, minimal), users.history.list from a
 * startHistoryId. A mailbox keeps its history of added and deleted messages; `expireHistory`
 * forgets it, after which an older startHistoryId answers 404 as Gmail's does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Accounts, decodeToken, encodeToken, guard, numberField, pageSize, queryValue, sendError, type ApiOptions } from './common.js';

export interface MailItem {
  from: string;
  to: string[];
  subject: string;
  /** Plain text; the message also carries an HTML alternative of it. */
  body: string;
  receivedAt: number;
  threadId?: string;
  /** An attachment the message carries (its bytes are never served inline). */
  attachment?: { filename: string; mimeType: string; size: number };
}

interface Stored extends MailItem {
  id: string;
  threadId: string;
  historyId: number;
}

interface HistoryRecord {
  id: number;
  added?: string;
  deleted?: string;
}

export class GmailMailbox {
  private historyId = 1000;
  private nextId = 0x18c0_0000_0000;
  private readonly messages = new Map<string, Stored>();
  private readonly history: HistoryRecord[] = [];
  /** A startHistoryId below this is no longer known: 404. */
  private oldestHistoryId = 0;

  constructor(readonly address: string) {}

  add(item: MailItem): string {
    const id = (this.nextId += 0x1_3a5f).toString(16);
    this.historyId += 7;
    this.messages.set(id, { ...item, id, threadId: item.threadId ?? id, historyId: this.historyId });
    this.history.push({ id: this.historyId, added: id });
    return id;
  }

  remove(id: string): void {
    if (!this.messages.delete(id)) return;
    this.historyId += 3;
    this.history.push({ id: this.historyId, deleted: id });
  }

  /** As Gmail does after about a week: history before now is forgotten (the current id stays a valid start). */
  expireHistory(): void {
    this.oldestHistoryId = this.historyId;
    this.history.length = 0;
  }

  get currentHistoryId(): number {
    return this.historyId;
  }

  get size(): number {
    return this.messages.size;
  }

  newestFirst(): Stored[] {
    return [...this.messages.values()].sort((a, b) => b.receivedAt - a.receivedAt || b.id.localeCompare(a.id));
  }

  message(id: string): Stored | undefined {
    return this.messages.get(id);
  }

  historyAfter(start: number): HistoryRecord[] | 'expired' {
    if (start < this.oldestHistoryId) return 'expired';
    return this.history.filter((h) => h.id > start);
  }
}

export function registerGmail(app: FastifyInstance, options: ApiOptions, mailboxes: Accounts<GmailMailbox>): void {
  const accountOf = guard(app, '/google/gmail/', 'google', options, { requests: 250, windowMs: 1000 });
  const base = '/google/gmail/v1/users/:userId';
  const mailboxOf = (request: FastifyRequest) => mailboxes.get(accountOf(request));

  app.get(`${base}/profile`, async (request) => {
    const box = mailboxOf(request);
    return { emailAddress: box.address, messagesTotal: box.size, threadsTotal: box.size, historyId: String(box.currentHistoryId) };
  });

  app.get(`${base}/messages`, async (request, reply) => {
    const box = mailboxOf(request);
    const max = pageSize(queryValue(request.query, 'maxResults'), 100, 500);
    if (max === undefined) return sendError(reply, 'google', 400, 'Invalid maxResults');
    const token = queryValue(request.query, 'pageToken');
    const offset = token === undefined ? 0 : numberField(decodeToken(token), 'offset');
    if (offset === undefined) return sendError(reply, 'google', 400, 'Invalid pageToken');
    const all = box.newestFirst();
    const page = all.slice(offset, offset + max);
    if (all.length === 0) return { resultSizeEstimate: 0 };
    return {
      messages: page.map((m) => ({ id: m.id, threadId: m.threadId })),
      ...(offset + max < all.length ? { nextPageToken: encodeToken({ offset: offset + max }) } : {}),
      resultSizeEstimate: all.length,
    };
  });

  app.get<{ Params: { id: string } }>(`${base}/messages/:id`, async (request, reply) => {
    const message = mailboxOf(request).message(request.params.id);
    if (!message) return sendError(reply, 'google', 404);
    const format = queryValue(request.query, 'format') ?? 'full';
    if (!['full', 'metadata', 'minimal'].includes(format)) return sendError(reply, 'google', 400, `Invalid value at 'format' (${format})`);
    return gmailResource(message, format);
  });

  app.get(`${base}/history`, async (request, reply) => {
    const box = mailboxOf(request);
    const startText = queryValue(request.query, 'startHistoryId');
    const start = startText !== undefined && /^\d+$/.test(startText) ? Number(startText) : undefined;
    if (start === undefined) return sendError(reply, 'google', 400, 'Invalid startHistoryId');
    const max = pageSize(queryValue(request.query, 'maxResults'), 100, 500);
    if (max === undefined) return sendError(reply, 'google', 400, 'Invalid maxResults');
    const records = box.historyAfter(start);
    if (records === 'expired') return sendError(reply, 'google', 404);
    const token = queryValue(request.query, 'pageToken');
    const offset = token === undefined ? 0 : numberField(decodeToken(token), 'offset');
    if (offset === undefined) return sendError(reply, 'google', 400, 'Invalid pageToken');
    const page = records.slice(offset, offset + max);
    return {
      ...(page.length > 0 ? { history: page.map((h) => historyResource(box, h)) } : {}),
      ...(offset + max < records.length ? { nextPageToken: encodeToken({ offset: offset + max }) } : {}),
      historyId: String(box.currentHistoryId),
    };
  });
}

function historyResource(box: GmailMailbox, record: HistoryRecord) {
  const id = record.added ?? record.deleted!;
  const ref = { id, threadId: box.message(id)?.threadId ?? id };
  return {
    id: String(record.id),
    messages: [ref],
    ...(record.added ? { messagesAdded: [{ message: { ...ref, labelIds: ['INBOX', 'UNREAD'] } }] } : {}),
    ...(record.deleted ? { messagesDeleted: [{ message: ref }] } : {}),
  };
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A users.messages resource: multipart/alternative (text and HTML), plus an attachment part by reference. */
function gmailResource(m: Stored, format: string) {
  const headers = [
    { name: 'From', value: m.from },
    { name: 'To', value: m.to.join(', ') },
    { name: 'Subject', value: m.subject },
    { name: 'Date', value: new Date(m.receivedAt).toUTCString().replace('GMT', '+0000') },
    { name: 'Message-ID', value: `<${m.id}@mail.sandbox.example>` },
  ];
  const html = `<div dir="ltr">${m.body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</div>`;
  const text = { partId: '0.0', mimeType: 'text/plain', filename: '', headers: [{ name: 'Content-Type', value: 'text/plain; charset="UTF-8"' }], body: { size: Buffer.byteLength(m.body), data: b64(m.body) } };
  const alt = { partId: '0.1', mimeType: 'text/html', filename: '', headers: [{ name: 'Content-Type', value: 'text/html; charset="UTF-8"' }], body: { size: Buffer.byteLength(html), data: b64(html) } };
  const parts = m.attachment
    ? [{ partId: '0', mimeType: 'multipart/alternative', filename: '', headers: [], body: { size: 0 }, parts: [text, alt] },
       { partId: '1', mimeType: m.attachment.mimeType, filename: m.attachment.filename, headers: [], body: { attachmentId: `ANGjdJ_${m.id}`, size: m.attachment.size } }]
    : [{ ...text, partId: '0' }, { ...alt, partId: '1' }];
  const resource = {
    id: m.id, threadId: m.threadId, labelIds: ['INBOX', 'UNREAD'], snippet: m.body.slice(0, 200), historyId: String(m.historyId),
    internalDate: String(m.receivedAt), sizeEstimate: Buffer.byteLength(m.body) * 2 + (m.attachment?.size ?? 0) + 600,
  };
  if (format === 'minimal') return resource;
  const mimeType = m.attachment ? 'multipart/mixed' : 'multipart/alternative';
  if (format === 'metadata') return { ...resource, payload: { mimeType, headers } };
  return { ...resource, payload: { partId: '', mimeType, filename: '', headers, body: { size: 0 }, parts } };
}
