/**
 * The git source's part of the configuration: OPENCLAW_GIT_* and the credentials to fetch with.
 * Read by loadConfig (config.ts) with its Reader, so every problem is reported with the rest.
 * A credential is never accepted inside OPENCLAW_GIT_URL (it would reach git's argv, `ps` and the
 * task definition in plain text): it comes from OPENCLAW_GIT_TOKEN (on ECS, a task-definition secret
 * from Secrets Manager) or OPENCLAW_GIT_TOKEN_FILE, or from a GitHub App's private key.
 */
import type { Reader } from '../config-reader.js';
import type { GitCredentialsConfig } from './git-credentials.js';

export interface GitConfig {
  url?: string;
  branch: string;
  path: string;
  intervalMs: number;
  credentials?: GitCredentialsConfig;
  /** GitHub's API (App tokens, commit statuses). */
  apiUrl: string;
}

const FILE = { pattern: /^\/\S+$/, allowed: 'an absolute file path' };

export function readGitConfig(read: Reader): GitConfig {
  const problems = read.problems;
  const url = read.string('OPENCLAW_GIT_URL', { pattern: /^\S+$/, allowed: 'a URL the git CLI accepts (https://, ssh://, git@host:path, file://)' });
  // user:password@ in a URL; a bare user (ssh://git@host) carries no secret.
  if (url && /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]*:[^/\s@]*@/i.test(url)) {
    problems.push('OPENCLAW_GIT_URL: the value given holds a credential (allowed: a URL without one; put the token in OPENCLAW_GIT_TOKEN or OPENCLAW_GIT_TOKEN_FILE)');
  }
  const token = read.string('OPENCLAW_GIT_TOKEN', { pattern: /^\S{1,1024}$/, allowed: 'a token without spaces', secret: true });
  const tokenFile = read.string('OPENCLAW_GIT_TOKEN_FILE', FILE);
  const appId = read.string('OPENCLAW_GITHUB_APP_ID', { pattern: /^\d{1,20}$/, allowed: 'the numeric id of a GitHub App' });
  const installationId = read.string('OPENCLAW_GITHUB_APP_INSTALLATION_ID', { pattern: /^\d{1,20}$/, allowed: 'the numeric id of the App installation' });
  const privateKey = read.string('OPENCLAW_GITHUB_APP_PRIVATE_KEY', { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, allowed: 'a PEM private key', secret: true });
  const privateKeyFile = read.string('OPENCLAW_GITHUB_APP_PRIVATE_KEY_FILE', FILE);
  const apiUrl = read.string('OPENCLAW_GITHUB_API_URL', { pattern: /^https?:\/\/\S+[^/]$/, allowed: 'an http(s) URL without a trailing slash' }) ?? 'https://api.github.com';
  const username = read.string('OPENCLAW_GIT_USERNAME', { pattern: /^[^\s:@]{1,256}$/, allowed: 'a user name without spaces, ":" or "@"' }) ?? 'x-access-token';

  const tokenGiven = token !== undefined || tokenFile !== undefined;
  const appGiven = [appId, installationId, privateKey, privateKeyFile].some((v) => v !== undefined);
  if (token !== undefined && tokenFile !== undefined) problems.push('OPENCLAW_GIT_TOKEN_FILE: set either it or OPENCLAW_GIT_TOKEN, not both');
  if (privateKey !== undefined && privateKeyFile !== undefined) problems.push('OPENCLAW_GITHUB_APP_PRIVATE_KEY_FILE: set either it or OPENCLAW_GITHUB_APP_PRIVATE_KEY, not both');
  if (tokenGiven && appGiven) problems.push('OPENCLAW_GITHUB_APP_ID: a GitHub App and a git token are both configured (allowed: one of them)');
  if (appGiven && (!appId || !installationId || (!privateKey && !privateKeyFile))) {
    problems.push('OPENCLAW_GITHUB_APP_ID: a GitHub App needs OPENCLAW_GITHUB_APP_ID, OPENCLAW_GITHUB_APP_INSTALLATION_ID and OPENCLAW_GITHUB_APP_PRIVATE_KEY (or _FILE)');
  }
  if ((tokenGiven || appGiven) && !url) problems.push('OPENCLAW_GIT_URL: required when git credentials are configured');

  const credentials: GitCredentialsConfig | undefined = appGiven && appId && installationId
    ? { kind: 'github-app', appId, installationId, privateKey, privateKeyFile, apiUrl }
    : tokenGiven ? { kind: 'token', username, token, tokenFile } : undefined;
  return {
    url,
    branch: read.string('OPENCLAW_GIT_BRANCH', { pattern: /^(?!-)[\w./-]{1,200}$/, allowed: 'a branch name' }) ?? 'main',
    path: read.string('OPENCLAW_GIT_PATH', { pattern: /^(?!\/)(?!.*\.\.)[\w./-]*$/, allowed: 'a relative path inside the repository, without ".."' }) ?? 'tenants/',
    intervalMs: read.duration('OPENCLAW_GIT_INTERVAL') ?? 60_000,
    apiUrl,
    ...(credentials ? { credentials } : {}),
  };
}
