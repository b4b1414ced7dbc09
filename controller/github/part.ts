import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PassListener, RejectionListener } from '../engine/controller.js';
import type { BackgroundPart, RuntimePart } from '../runtime.js';
import { gitCredentials } from '../source/git-credentials.js';
import { CommitStatusReporter, type PostedState } from './commit-status.js';

export interface CommitStatusContext {
  config: Readonly<Config>;
  log: Logger;
  store: PostedState;
  loop: { onPass(listener: PassListener): void; onRejected(listener: RejectionListener): void };
  now: () => number;
}

/** The token statuses are posted with: OPENCLAW_GITHUB_STATUS_TOKEN, else the git credentials (a token, or the App's installation token). */
export function statusToken(config: Readonly<Config>): (() => Promise<string>) | undefined {
  const { token } = config.commitStatus;
  if (token) return async () => token;
  const credentials = config.git.credentials;
  if (!credentials) return undefined;
  const login = gitCredentials(credentials);
  return async () => (await login.get()).password;
}

/** Commit statuses, as `tenantctl run` starts them (OPENCLAW_COMMIT_STATUS=true). */
export const commitStatusPart: RuntimePart<CommitStatusContext, BackgroundPart> = {
  name: 'commit-status',
  async start(ctx) {
    const { commitStatus } = ctx.config;
    const log = ctx.log.child({ component: 'commit-status' });
    if (!commitStatus.enabled || !commitStatus.repository) return { stop: async () => {}, idle: async () => {} };
    const token = statusToken(ctx.config);
    if (!token) {
      log.warn('commit statuses are on but no token is configured (OPENCLAW_GITHUB_STATUS_TOKEN, OPENCLAW_GIT_TOKEN or a GitHub App): none is posted');
      return { stop: async () => {}, idle: async () => {} };
    }
    const reporter = new CommitStatusReporter({
      target: { repository: commitStatus.repository, apiUrl: commitStatus.apiUrl, context: commitStatus.context, token },
      store: ctx.store, log, now: ctx.now, opsUrl: ctx.config.notify.opsUrl,
    });
    // Posted in order, apart from the pass: a slow GitHub never holds up the loop.
    let chain: Promise<unknown> = Promise.resolve();
    const enqueue = (post: () => Promise<unknown>) => {
      chain = chain.then(post).catch((error) => log.error({ err: error }, 'commit status failed'));
    };
    ctx.loop.onPass((report) => enqueue(() => reporter.report(report)));
    ctx.loop.onRejected((revision, reason) => enqueue(() => reporter.rejected(revision, reason)));
    // The chain never rejects: a failed post is logged where it failed.
    const idle = async () => void await chain;
    return { stop: idle, idle };
  },
};
