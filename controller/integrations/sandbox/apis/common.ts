/**
 * What the sandbox's provider APIs share: who a bearer token belongs to, each provider's error
 * bodies (as /work's api-specs and the providers' documentation show them), a per-account request
 * rate limit answering 429 with Retry-After, and opaque page tokens.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRecord } from '../../../../contract/json.js';
import type { IntegrationProviderName } from '../../../../contract/integration-secret.js';

/** The connected account (mailbox address or HubSpot portal id) behind an access token, or undefined. */
export type Authorize = (provider: IntegrationProviderName, accessToken: string) => string | undefined;

export interface ApiOptions {
  authorize: Authorize;
  now: () => number;
  /** Requests per account per window before 429; default: the provider's published order of magnitude. */
  rateLimit?: { requests: number; windowMs: number };
}

/** The account of the request's bearer token, or undefined after answering 401 in the provider's words. */
export function accountOf(request: FastifyRequest, reply: FastifyReply, provider: IntegrationProviderName, options: ApiOptions): string | undefined {
  const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
  const account = match ? options.authorize(provider, match[1]) : undefined;
  if (account === undefined) void sendError(reply, provider, 401);
  return account;
}

const GOOGLE_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const GOOGLE_REASON: Record<number, [string, string]> = {
  400: ['global', 'badRequest'], 401: ['global', 'authError'], 404: ['global', 'notFound'], 410: ['global', 'fullSyncRequired'],
  429: ['usageLimits', 'rateLimitExceeded'], 500: ['global', 'backendError'], 503: ['global', 'backendError'],
};
const DEFAULT_MESSAGE: Record<number, string> = {
  400: 'Bad Request', 401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  404: 'Requested entity was not found.', 410: 'Sync token is no longer valid, a full sync is required.', 429: 'User-rate limit exceeded.',
  500: 'Internal error encountered.', 503: 'The service is currently unavailable.',
};
const GRAPH_CODE: Record<number, string> = { 400: 'BadRequest', 401: 'InvalidAuthenticationToken', 404: 'ErrorItemNotFound', 410: 'syncStateNotFound', 429: 'TooManyRequests', 500: 'InternalServerError', 503: 'ServiceNotAvailable' };
const HUBSPOT_CATEGORY: Record<number, string> = { 400: 'VALIDATION_ERROR', 401: 'EXPIRED_AUTHENTICATION', 404: 'OBJECT_NOT_FOUND', 429: 'RATE_LIMITS', 500: 'INTERNAL_ERROR', 503: 'SERVICE_UNAVAILABLE' };

/** An error as the provider answers it: Google's `{error:{code,message,errors,status}}`, Graph's ODataError, HubSpot's Error. */
export function errorBody(provider: IntegrationProviderName, status: number, message = DEFAULT_MESSAGE[status] ?? 'Error'): Record<string, unknown> {
  if (provider === 'google') {
    const [domain, reason] = GOOGLE_REASON[status] ?? ['global', 'backendError'];
    return { error: { code: status, message, errors: [{ message, domain, reason }], ...(GOOGLE_STATUS[status] ? { status: GOOGLE_STATUS[status] } : {}) } };
  }
  if (provider === 'microsoft') {
    const date = new Date().toISOString().slice(0, 19);
    return { error: { code: GRAPH_CODE[status] ?? 'generalException', message, innerError: { date, 'request-id': requestId(), 'client-request-id': requestId() } } };
  }
  const body: Record<string, unknown> = { status: 'error', message, correlationId: requestId(), category: HUBSPOT_CATEGORY[status] ?? 'INTERNAL_ERROR' };
  if (status === 429) Object.assign(body, { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
  return body;
}

export function sendError(reply: FastifyReply, provider: IntegrationProviderName, status: number, message?: string, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(provider, status, message));
}

/** Fixed-window request counts per (provider, account): past the limit, 429 until the window ends. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly limit: { requests: number; windowMs: number }, private readonly now: () => number) {}

  /** Seconds to wait when over the limit, else undefined (and the request is counted). */
  take(key: string): number | undefined {
    const now = this.now();
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.limit.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return undefined;
    }
    if (window.count >= this.limit.requests) return Math.max(1, Math.ceil((window.start + this.limit.windowMs - now) / 1000));
    window.count += 1;
    return undefined;
  }
}

/** An opaque page or sync token carrying a small JSON state, as providers' tokens are opaque to clients. */
export function encodeToken(state: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeToken(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A whole number from a query value within [1, max], the default when absent, or undefined when invalid. */
export function pageSize(value: unknown, fallback: number, max: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : undefined;
}

export function numberField(state: Record<string, unknown> | undefined, field: string): number | undefined {
  const value = state?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function requestId(): string {
  return randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

/** A query string's value as one string (fastify gives arrays for repeated keys). */
export function queryValue(query: unknown, name: string): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const value: unknown = Object.entries(query).find(([key]) => key === name)?.[1];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A form body or query string as one string per key (the first of a repeated key), whatever the parser gave. */
export function formValues(value: unknown): Record<string, string | undefined> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.keys(value).map((key) => [key, queryValue(value, key)]));
}

/** One store per connected account, made on first use (empty, or the sample data in `npm start`). */
export class Accounts<T> {
  private readonly stores = new Map<string, T>();
  constructor(private readonly create: (account: string) => T) {}

  get(account: string): T {
    let store = this.stores.get(account);
    if (!store) this.stores.set(account, (store = this.create(account)));
    return store;
  }
}

/**
 * Every request under `prefix` must carry a live bearer token of `provider` (else 401) and stay
 * within its account's rate limit (else 429 with Retry-After). Returns the account of a request
 * that passed.
 */
export function guard(app: FastifyInstance, prefix: string, provider: IntegrationProviderName, options: ApiOptions, limit: { requests: number; windowMs: number }): (request: FastifyRequest) => string {
  const limiter = new RateLimiter(options.rateLimit ?? limit, options.now);
  const accounts = new WeakMap<FastifyRequest, string>();
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(prefix)) return;
    const account = accountOf(request, reply, provider, options);
    if (account === undefined) return reply;
    const wait = limiter.take(account);
    if (wait !== undefined) return sendError(reply, provider, 429, undefined, wait);
    accounts.set(request, account);
  });
  return (request) => {
    const account = accounts.get(request);
    if (account === undefined) throw new Error(`no account for ${request.url}: the guard did not run`);
    return account;
  };
}
