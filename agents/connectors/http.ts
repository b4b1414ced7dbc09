/**
 * One provider's HTTP API as the connectors call it: JSON in and out, the bearer token from the
 * integration secret, 429 and 5xx (and network failures) retried with the provider's Retry-After or
 * else exponential backoff with jitter, never past the run's deadline; a 401 renews the token once.
 * Links the provider hands back (Graph's nextLink and deltaLink) are followed only on the configured
 * API's origin, so a cursor can never send the token elsewhere.
 */
import { equalJitterBackoff } from '../../contract/backoff.js';
import { errorMessage } from '../../contract/errors.js';
import { isRecord } from '../../contract/json.js';
import { ConnectorError } from './errors.js';
import type { TokenSource } from './tokens.js';

export interface HttpDeps {
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  /** Epoch milliseconds after which no request starts and no wait is begun. */
  deadline: number;
}

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export interface RequestOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ProviderApi {
  readonly origin: string;

  constructor(private readonly tokens: TokenSource, readonly baseUrl: string, private readonly deps: HttpDeps, private readonly retry: RetryPolicy = DEFAULT_RETRY) {
    this.origin = new URL(baseUrl).origin;
  }

  get integration() {
    return this.tokens.integration;
  }

  /** A path under the API's base URL, or an absolute link the provider gave (same origin only). */
  url(pathOrLink: string, query: RequestOptions['query'] = {}): URL {
    const url = /^https?:\/\//.test(pathOrLink) ? new URL(pathOrLink) : new URL(this.baseUrl.replace(/\/$/, '') + pathOrLink);
    if (url.origin !== this.origin) throw new ConnectorError('INVALID_RESPONSE', this.integration, `refusing to follow a link to ${url.origin}: the API is at ${this.origin}`);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** The JSON answer of a 2xx, or a ConnectorError naming the status and the provider's own message. */
  async json(pathOrLink: string, options: RequestOptions = {}): Promise<unknown> {
    const url = this.url(pathOrLink, options.query);
    const what = `${options.method ?? 'GET'} ${url.pathname}`;
    let renewed = false;
    let lastProblem = '';
    for (let attempt = 1; ; ) {
      if (this.deps.now() >= this.deps.deadline) throw this.unavailable(`${what}: the run's deadline passed${lastProblem ? ` (last answer: ${lastProblem})` : ''}`);
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await this.deps.fetch(url, {
          method: options.method ?? 'GET',
          headers: { accept: 'application/json', authorization: `Bearer ${this.tokens.accessToken()}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        });
      } catch (error) {
        failure = error;
      }
      if (response?.ok) return this.parse(response, what);
      if (response?.status === 401 && !renewed) {
        await response.body?.cancel();
        renewed = true;
        await this.tokens.renew();
        continue;
      }
      if (response && !RETRYABLE.has(response.status)) throw await this.refused(response, what);
      lastProblem = response ? `${response.status} ${await providerMessage(response)}` : `network error: ${errorMessage(failure)}`;
      if (attempt >= this.retry.attempts) throw this.unavailable(`${what} failed ${attempt} times (last: ${lastProblem})`, failure);
      const wait = retryAfterMs(response?.headers.get('retry-after') ?? null, this.deps.now()) ?? this.backoff(attempt);
      if (this.deps.now() + wait > this.deps.deadline) throw this.unavailable(`${what}: asked to wait ${Math.ceil(wait / 1000)} s, past the run's deadline (last: ${lastProblem})`, failure);
      await this.deps.sleep(wait);
      attempt += 1;
    }
  }

  private backoff(attempt: number): number {
    return equalJitterBackoff(attempt, { baseMs: this.retry.baseDelayMs, maxMs: this.retry.maxDelayMs }, this.deps.random ?? Math.random);
  }

  private unavailable(message: string, cause?: unknown): ConnectorError {
    return new ConnectorError('PROVIDER_UNAVAILABLE', this.integration, `the provider is unavailable: ${message}`, {}, cause === undefined ? undefined : { cause });
  }

  private async refused(response: Response, what: string): Promise<ConnectorError> {
    const body = await response.text().catch(() => '');
    const code = providerCode(body);
    const message = `${what} answered ${response.status}${code ? ` ${code}` : ''}: ${messageOf(body)}`;
    if (response.status === 401) return new ConnectorError('REAUTHORIZATION_REQUIRED', this.integration, `the provider refused the renewed access token too (${message}): the customer must connect again`, { status: 401, providerCode: code });
    return new ConnectorError('PROVIDER_REFUSED', this.integration, message, { status: response.status, providerCode: code });
  }

  private async parse(response: Response, what: string): Promise<unknown> {
    try {
      return await response.json();
    } catch (error) {
      throw new ConnectorError('INVALID_RESPONSE', this.integration, `${what} answered ${response.status} with a body that is not JSON`, { status: response.status }, { cause: error });
    }
  }
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function providerMessage(response: Response): Promise<string> {
  return messageOf(await response.text().catch(() => ''));
}

/** The provider's own words from an error body: Google's and Graph's error.message, HubSpot's message. Bounded. */
function messageOf(body: string): string {
  const parsed = safeJson(body);
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : parsed;
  const message = isRecord(error) && typeof error.message === 'string' ? error.message : body;
  return message.slice(0, 300) || '(no body)';
}

function providerCode(body: string): string | undefined {
  const parsed = safeJson(body);
  if (!isRecord(parsed)) return undefined;
  if (isRecord(parsed.error)) {
    const { code, status } = parsed.error;
    if (typeof code === 'string') return code;
    if (typeof status === 'string') return status;
  }
  return typeof parsed.category === 'string' ? parsed.category : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
