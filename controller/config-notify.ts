/**
 * Where the controller tells people what happened: notifications (channels are declared in git, these are
 * the delivery rules), GitHub commit statuses, GitHub's push webhook and the metrics in the logs.
 * Read by loadConfig (config.ts) with its Reader, so every problem is reported with the rest.
 */
import type { Reader } from './config-reader.js';

export interface NotifyConfig {
  /** The ops page as people reach it (links in notifications and commit statuses); unset: no link. */
  opsUrl?: string;
  /** A notification with the same key is not sent again within this window. */
  dedupWindowMs: number;
  /** Attempts per delivery before it is given up (and shown as failed in the status). */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Undelivered notifications kept per channel; beyond, the oldest are dropped (and counted). */
  outboxLimit: number;
  /** Consecutive failed runs of one agent of one tenant that make an AgentFailing notification. */
  agentFailureThreshold: number;
}

export interface CommitStatusConfig {
  enabled: boolean;
  /** owner/name of the manifest repository on GitHub; from OPENCLAW_GIT_URL when it is a GitHub URL. */
  repository?: string;
  /** A token with the statuses permission; unset: the git credentials (token or GitHub App) are used. */
  token?: string;
  apiUrl: string;
  context: string;
}

export interface WebhookConfig {
  /** GitHub's webhook secret: POST /api/hooks/github verifies X-Hub-Signature-256 with it. Unset: the endpoint is off. */
  githubSecret?: string;
}

export interface MetricsLogConfig {
  /** Embedded Metric Format lines in the log after each pass (CloudWatch Logs turns them into metrics). */
  emf: boolean;
  namespace: string;
}

export interface OutwardConfig {
  notify: NotifyConfig;
  commitStatus: CommitStatusConfig;
  webhook: WebhookConfig;
  metricsLog: MetricsLogConfig;
}

const GITHUB_REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

export function readOutwardConfig(read: Reader, git: { url?: string; apiUrl: string }, onAws: boolean): OutwardConfig {
  const problems = read.problems;
  const repository = read.string('OPENCLAW_GITHUB_REPOSITORY', { pattern: GITHUB_REPO, allowed: 'owner/name of a GitHub repository' }) ?? githubRepositoryOf(git.url);
  const enabled = read.boolean('OPENCLAW_COMMIT_STATUS') ?? false;
  if (enabled && !repository) problems.push('OPENCLAW_COMMIT_STATUS: needs the repository (allowed: OPENCLAW_GIT_URL on github.com, or OPENCLAW_GITHUB_REPOSITORY=owner/name)');
  const backoffBaseMs = read.duration('OPENCLAW_NOTIFY_BACKOFF_BASE') ?? 10_000;
  const backoffMaxMs = read.duration('OPENCLAW_NOTIFY_BACKOFF_MAX') ?? 30 * 60_000;
  if (backoffMaxMs < backoffBaseMs) problems.push('OPENCLAW_NOTIFY_BACKOFF_MAX: shorter than OPENCLAW_NOTIFY_BACKOFF_BASE (allowed: a duration at least as long)');
  return {
    notify: {
      opsUrl: read.string('OPENCLAW_OPS_URL', { pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s?#/])?$/, allowed: 'an http:// or https:// base URL without query, fragment or trailing slash' }),
      dedupWindowMs: read.duration('OPENCLAW_NOTIFY_DEDUP_WINDOW') ?? 3_600_000,
      maxAttempts: read.integer('OPENCLAW_NOTIFY_MAX_ATTEMPTS', 1, 50) ?? 8,
      backoffBaseMs,
      backoffMaxMs,
      outboxLimit: read.integer('OPENCLAW_NOTIFY_OUTBOX_LIMIT', 10, 100_000) ?? 1_000,
      agentFailureThreshold: read.integer('OPENCLAW_AGENT_FAILURE_THRESHOLD', 1, 100) ?? 3,
    },
    commitStatus: {
      enabled,
      repository,
      token: read.string('OPENCLAW_GITHUB_STATUS_TOKEN', { pattern: /^\S{1,1024}$/, allowed: 'a token without spaces', secret: true }),
      apiUrl: git.apiUrl,
      context: 'openclaw/reconcile',
    },
    webhook: {
      githubSecret: read.string('OPENCLAW_GITHUB_WEBHOOK_SECRET', { pattern: /^\S{16,}$/, allowed: 'at least 16 characters without spaces', secret: true }),
    },
    metricsLog: {
      emf: read.boolean('OPENCLAW_METRICS_EMF') ?? onAws,
      namespace: read.string('OPENCLAW_METRICS_NAMESPACE', { pattern: /^[A-Za-z0-9_./#:-]{1,255}$/, allowed: 'a CloudWatch namespace: letters, digits and _./#:-' }) ?? 'OpenClaw/Controller',
    },
  };
}

/** `https://github.com/acme/tenants(.git)` or `git@github.com:acme/tenants.git` → `acme/tenants`. */
export function githubRepositoryOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const match = /^(?:https:\/\/(?:[^@/]+@)?github\.com\/|ssh:\/\/git@github\.com\/|git@github\.com:)([^/\s]+\/[^/\s]+?)(?:\.git)?\/?$/.exec(url);
  return match && GITHUB_REPO.test(match[1]) ? match[1] : undefined;
}
