/**
 * The GitHub commit status `openclaw/reconcile` on each revision the controller processes: success when
 * the pass applied it, failure with the first error, pending while the mass-deletion guard holds it, each
 * with a link to the ops page. Posted after a pass only when it differs from the last one posted for that
 * SHA (a resync every five minutes posts nothing new); a failure to post is logged and retried at the next
 * pass, and a rate-limited answer stops posting until GitHub's reset time.
 */
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { PassReport } from '../engine/outcome.js';
import { errorMessage } from '../../contract/errors.js';
import { isRecord } from '../../contract/json.js';

export type CommitState = 'success' | 'failure' | 'pending' | 'error';

export interface CommitStatus {
  state: CommitState;
  /** At most 140 characters (GitHub's limit). */
  description: string;
  targetUrl?: string;
}

/** A git commit SHA (a directory source's `dir:…` revision has no commit to mark). */
const SHA = /^[0-9a-f]{40}$/;

/** Pure: the status a pass earns its revision. */
export function commitStatusOf(report: PassReport, opsUrl?: string): CommitStatus {
  const targetUrl = opsUrl ? `${opsUrl}/` : undefined;
  if (report.held.length > 0) {
    return { state: 'pending', targetUrl, description: clip(`deletion of ${report.held.length} tenant(s) held: tenantctl confirm-deletion ${report.revision.slice(0, 12)}`) };
  }
  const failed = report.outcomes.find((o) => o.error);
  const first = report.fleet.error ? `shared resources: ${report.fleet.error.message}` : failed ? `${failed.tenant}: ${failed.error!.message}` : undefined;
  if (first) {
    const count = report.outcomes.filter((o) => o.error).length + (report.fleet.error ? 1 : 0);
    return { state: 'failure', targetUrl: failed && opsUrl ? `${opsUrl}/#/tenants/${encodeURIComponent(failed.tenant)}` : targetUrl, description: clip(`${count} failed; ${first}`) };
  }
  const waiting = report.outcomes.filter((o) => o.skipped === 'backoff').map((o) => o.tenant);
  if (waiting.length > 0) return { state: 'failure', targetUrl, description: clip(`${waiting.join(', ')}: waiting to retry after an error`) };
  const tenants = report.outcomes.length;
  return { state: 'success', targetUrl, description: clip(`applied: ${tenants} tenant(s), ${report.changesApplied} change(s)`) };
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}

export interface CommitStatusTarget {
  repository: string;
  apiUrl: string;
  context: string;
  /** The token to post with (a token with the statuses permission, or an App installation token). */
  token(): Promise<string>;
}

/** What was posted last, per SHA, so an unchanged pass posts nothing. */
export interface PostedState {
  getState<T>(key: string): Promise<T | undefined>;
  setState(key: string, value: unknown): Promise<void>;
}

export const COMMIT_STATUS_STATE = 'commitStatus';

interface Posted {
  sha: string;
  state: CommitState;
  description: string;
  at: string;
  error?: string;
}

export class CommitStatusReporter {
  private blockedUntil = 0;

  constructor(private readonly deps: { target: CommitStatusTarget; store: PostedState; log: Logger; now: () => number; opsUrl?: string; fetch?: typeof fetch }) {}

  /** After a pass: posts its revision's status unless it is what was posted last for that SHA. */
  report(report: PassReport): Promise<'posted' | 'unchanged' | 'skipped' | 'failed'> {
    return this.post(report.revision, commitStatusOf(report, this.deps.opsUrl));
  }

  /** A revision rejected before any pass (invalid manifests, or none): failure, with the first error. */
  rejected(revision: string, reason: string): Promise<'posted' | 'unchanged' | 'skipped' | 'failed'> {
    return this.post(revision, { state: 'failure', description: clip(`rejected: ${reason}`), targetUrl: this.deps.opsUrl ? `${this.deps.opsUrl}/` : undefined });
  }

  private async post(sha: string, status: CommitStatus): Promise<'posted' | 'unchanged' | 'skipped' | 'failed'> {
    if (!SHA.test(sha)) return 'skipped';
    const last = await this.deps.store.getState<Posted>(COMMIT_STATUS_STATE);
    if (last && !last.error && last.sha === sha && last.state === status.state && last.description === status.description) return 'unchanged';
    const now = this.deps.now();
    if (now < this.blockedUntil) return 'skipped';
    const { target, log } = this.deps;
    const [owner, repo] = target.repository.split('/');
    try {
      // Octokit's own request log goes to ours, at debug: what failed is logged once, below.
      const quiet = (message: string) => log.debug({ octokit: message }, 'github request');
      const octokit = new Octokit({
        auth: await target.token(), baseUrl: target.apiUrl, userAgent: 'openclaw-tenant-controller',
        request: { fetch: this.deps.fetch ?? fetch, retries: 0 }, log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
      });
      await octokit.rest.repos.createCommitStatus({ owner, repo, sha, state: status.state, description: status.description, context: target.context, ...(status.targetUrl ? { target_url: status.targetUrl } : {}) });
      await this.deps.store.setState(COMMIT_STATUS_STATE, { sha, state: status.state, description: status.description, at: new Date(now).toISOString() } satisfies Posted);
      log.info({ sha, state: status.state }, 'commit status posted');
      return 'posted';
    } catch (error) {
      const message = postError(error);
      const reset = rateLimitReset(error);
      if (reset !== undefined) this.blockedUntil = reset;
      log.warn({ sha, err: message, blockedUntil: reset && new Date(reset).toISOString() }, 'could not post the commit status; the next pass tries again');
      await this.deps.store.setState(COMMIT_STATUS_STATE, { sha, state: status.state, description: status.description, at: new Date(now).toISOString(), error: message } satisfies Posted);
      return 'failed';
    }
  }
}

/** GitHub's answer in words (status and its `message`), never the token. */
function postError(error: unknown): string {
  const status = isRecord(error) ? error.status : undefined;
  const data = isRecord(error) && isRecord(error.response) ? error.response.data : undefined;
  const message = isRecord(data) && 'message' in data ? String(data.message) : errorMessage(error);
  return typeof status === 'number' ? `GitHub answered HTTP ${status}: ${message}` : `could not reach GitHub: ${message}`;
}

/** When a rate-limited answer (403 or 429 with no requests left) says posting may resume, in ms. */
function rateLimitReset(error: unknown): number | undefined {
  const status = isRecord(error) ? error.status : undefined;
  const response = isRecord(error) ? error.response : undefined;
  const headers = isRecord(response) && isRecord(response.headers) ? response.headers : {};
  if ((status !== 403 && status !== 429) || String(headers['x-ratelimit-remaining']) !== '0') return undefined;
  const reset = Number(headers['x-ratelimit-reset']);
  return Number.isFinite(reset) ? reset * 1000 : undefined;
}
