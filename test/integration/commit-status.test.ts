import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommitStatusReporter, COMMIT_STATUS_STATE } from '../../controller/github/commit-status.js';
import { commitStatusPart, statusToken } from '../../controller/github/part.js';
import { loadConfig } from '../../controller/config.js';
import { createLogger } from '../../contract/logger.js';
import type { PassReport } from '../../controller/engine/outcome.js';
import { directorySource } from '../../controller/source/directory.js';
import { metricsLogPart } from '../../controller/status/emf.js';
import type { ManifestSource } from '../../controller/source/types.js';
import type { BackgroundPart } from '../../controller/runtime.js';
import { createManualClock } from '../aws-double/index.js';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';
import { createStatusWorld, type StatusWorld } from './status-world.js';

const REPO = 'acme/tenants';
const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const TOKEN = 'ghp_statuses0000000000000000000000000';

function report(overrides: Partial<PassReport> = {}): PassReport {
  return {
    revision: SHA, startedAt: new Date().toISOString(), durationMs: 10, fleet: { applied: [] },
    outcomes: [{ tenant: 'acme', applied: [], skipped: undefined }, { tenant: 'globex', applied: [], skipped: undefined }],
    held: [], changesApplied: 3, driftCorrected: 0, ...overrides,
  };
}

/** The controller's state as the reporter keeps it (controller_state in production). */
function memoryState() {
  const values = new Map<string, unknown>();
  return { getState: async <T>(key: string) => values.get(key) as T | undefined, setState: async (key: string, value: unknown) => void values.set(key, value), values };
}

/** A GitHub that knows REPO with SHA and OTHER, and accepts TOKEN. */
async function githubDouble(now: () => number): Promise<GithubDouble> {
  const github = await startGithubDouble(now);
  github.addRepository(REPO, [SHA, OTHER]);
  github.acceptToken(TOKEN);
  return github;
}

describe('the openclaw/reconcile commit status, against a stateful GitHub double', () => {
  // Statuses, commits and the rate limit are the double's state: each test has a GitHub of its own.
  let github: GithubDouble;
  const clock = createManualClock(Date.now());
  const log = createLogger({ level: 'silent' });

  beforeEach(async () => {
    github = await githubDouble(clock.now);
  });
  afterEach(async () => github?.close());

  const reporter = (token = TOKEN, state = memoryState()) => ({
    state,
    reporter: new CommitStatusReporter({
      target: { repository: REPO, apiUrl: github.url, context: 'openclaw/reconcile', token: async () => token },
      store: state, log, now: clock.now, opsUrl: 'https://ops.example.com',
    }),
  });

  it('marks an applied revision success with a link to the page, once: an unchanged pass posts nothing', async () => {
    const { reporter: r } = reporter();
    expect(await r.report(report())).toBe('posted');
    expect(await r.report(report())).toBe('unchanged');
    const statuses = github.statuses(REPO, SHA);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ state: 'success', context: 'openclaw/reconcile', target_url: 'https://ops.example.com/', description: 'applied: 2 tenant(s), 3 change(s)', creator: 'user/ci' });
  });

  it('marks a revision failure with the first error, and links the failing tenant', async () => {
    const { reporter: r } = reporter();
    const failed = report({ outcomes: [{ tenant: 'acme', applied: [], skipped: undefined }, { tenant: 'globex', applied: [], skipped: undefined, error: { message: 'could not create postgres schema/tenant_globex: permission denied', retryable: true } }] });
    expect(await r.report(failed)).toBe('posted');
    expect(github.statuses(REPO, SHA)[0]).toMatchObject({
      state: 'failure', target_url: 'https://ops.example.com/#/tenants/globex',
      description: '1 failed; globex: could not create postgres schema/tenant_globex: permission denied',
    });
  });

  it('keeps a revision pending while its deletion is held, naming the command that confirms it', async () => {
    const { reporter: r } = reporter();
    expect(await r.report(report({ revision: OTHER, held: [{ tenant: 'acme', reason: 'held' }] as PassReport['held'] }))).toBe('posted');
    expect(github.statuses(REPO, OTHER)[0]).toMatchObject({ state: 'pending', description: `deletion of 1 tenant(s) held: tenantctl confirm-deletion ${OTHER.slice(0, 12)}` });
  });

  it('records what GitHub refused (bad credentials, an unknown SHA) and tries again at the next pass', async () => {
    const bad = reporter('ghp_wrong');
    expect(await bad.reporter.report(report())).toBe('failed');
    expect(bad.state.values.get(COMMIT_STATUS_STATE)).toMatchObject({ sha: SHA, error: 'GitHub answered HTTP 401: Bad credentials' });
    expect(JSON.stringify([...bad.state.values])).not.toContain('ghp_wrong');

    const unknown = reporter();
    expect(await unknown.reporter.report(report({ revision: 'c'.repeat(40) }))).toBe('failed');
    expect(unknown.state.values.get(COMMIT_STATUS_STATE)).toMatchObject({ error: `GitHub answered HTTP 422: No commit found for SHA: ${'c'.repeat(40)}` });
    github.addCommit(REPO, 'c'.repeat(40));
    expect(await unknown.reporter.report(report({ revision: 'c'.repeat(40) }))).toBe('posted');
  });

  it('stops posting when the rate limit is spent, until GitHub says it resets', async () => {
    const { reporter: r } = reporter();
    github.setRateLimit(0, clock.now() + 60_000);
    const before = github.requests.length;
    expect(await r.report(report({ changesApplied: 4 }))).toBe('failed');
    expect(await r.report(report({ changesApplied: 5 }))).toBe('skipped');
    expect(github.requests.length).toBe(before + 1);
    expect(github.requests.at(-1)).toMatchObject({ status: 403 });
    clock.advance(61_000);
    expect(await r.report(report({ changesApplied: 5 }))).toBe('posted');
  });

  it('posts with a GitHub App installation token when the git source reads the repository as an App', async () => {
    const config = loadConfig({
      OPENCLAW_GIT_URL: 'https://github.com/acme/tenants.git', OPENCLAW_COMMIT_STATUS: 'true', OPENCLAW_GITHUB_API_URL: github.url,
      OPENCLAW_GITHUB_APP_ID: github.app.appId, OPENCLAW_GITHUB_APP_INSTALLATION_ID: github.app.installationId, OPENCLAW_GITHUB_APP_PRIVATE_KEY: github.app.privateKey,
    }, '/tmp');
    expect(config.commitStatus).toMatchObject({ enabled: true, repository: REPO });
    const state = memoryState();
    const r = new CommitStatusReporter({ target: { repository: REPO, apiUrl: github.url, context: 'openclaw/reconcile', token: statusToken(config)! }, store: state, log, now: clock.now });
    expect(await r.report(report({ changesApplied: 9 }))).toBe('posted');
    expect(github.statuses(REPO, SHA)[0]).toMatchObject({ state: 'success', creator: `app/${github.app.appId}` });
  });
});

describe('the openclaw/reconcile commit status from the running controller, after a pass with a Degraded tenant', () => {
  const clock = createManualClock(Date.now());
  let github: GithubDouble;
  let sw: StatusWorld;
  let inner: ManifestSource | undefined;
  let revision = OTHER;
  let posting: BackgroundPart;
  const source: ManifestSource = { describe: () => 'a git commit', load: async () => ({ ...(await inner!.load()), revision }) };

  // The pass every test reads: its status on OTHER, and its metrics line.
  beforeAll(async () => {
    github = await githubDouble(clock.now);
    sw = await createStatusWorld({
      pass: false, source,
      extraEnv: { OPENCLAW_COMMIT_STATUS: 'true', OPENCLAW_GITHUB_REPOSITORY: REPO, OPENCLAW_GITHUB_API_URL: github.url, OPENCLAW_GITHUB_STATUS_TOKEN: TOKEN, OPENCLAW_OPS_URL: 'https://ops.example.com', OPENCLAW_METRICS_EMF: 'true' },
    });
    inner = directorySource(sw.world.tenantsDir);
    posting = await commitStatusPart.start(sw.world.ctx);
    await metricsLogPart.start(sw.world.ctx);
    await sw.world.pass();
    await posting.idle();
  });
  afterAll(async () => {
    await sw?.close();
    await github?.close();
  });

  it('marks the revision failed with the Degraded tenant’s error within the pass that saw it', async () => {
    const [latest] = github.statuses(REPO, OTHER);
    expect(latest.state).toBe('failure');
    expect(latest.description).toMatch(/^1 failed; globex: could not create postgres schema\/tenant_globex: permission denied/);
    expect(latest.target_url).toBe('https://ops.example.com/#/tenants/globex');
  });

  it('marks a revision the controller rejects as invalid failed, with its first error, though no pass runs', async () => {
    const rejected = 'd'.repeat(40);
    github.addCommit(REPO, rejected);
    revision = rejected;
    sw.world.writeTenant('broken.yaml', 'apiVersion: openclaw.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: broken\nspec:\n  tier: platinum\n');
    try {
      await sw.world.ctx.loop.refreshSource();
      await posting.idle();
      const [latest] = github.statuses(REPO, rejected);
      expect(latest.state).toBe('failure');
      expect(latest.description).toMatch(/^rejected: \d+ validation error\(s\): \S*broken\.yaml:\d+:\d+ /);
    } finally {
      sw.world.removeTenant('broken.yaml');
      revision = OTHER;
    }
  });

  it('logged the pass as a CloudWatch Embedded Metric Format line: every declared metric a number beside it, the Degraded tenant counted', () => {
    const line = sw.world.logLines.map((text) => JSON.parse(text)).find((entry) => entry._aws);
    expect(line).toBeDefined();
    const [directive] = line._aws.CloudWatchMetrics;
    expect(typeof line._aws.Timestamp).toBe('number');
    expect(directive).toMatchObject({ Namespace: 'OpenClaw/Controller', Dimensions: [['Service']] });
    expect(line.Service).toBe('controller');
    const names = directive.Metrics.map((m: { Name: string }) => m.Name);
    expect(names).toEqual(['Passes', 'SuccessfulPasses', 'PassDuration', 'TenantFailures', 'DegradedTenants', 'BudgetExceededTenants', 'AgentRunsFinished', 'AgentRunsFailed', 'AwsCalls', 'PoolQueueDepth']);
    for (const name of names) expect(typeof line[name], name).toBe('number');
    expect(line).toMatchObject({ Passes: 1, SuccessfulPasses: 0, TenantFailures: 1, DegradedTenants: 1, BudgetExceededTenants: 0, PoolQueueDepth: 0 });
  });
});
