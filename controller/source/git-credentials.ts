/**
 * Credentials for fetching the manifest repository, never in a URL or git's argv: a personal access
 * token (from an environment variable, which ECS fills from Secrets Manager, or from a file read at
 * every fetch, so a rotated token is picked up), or a GitHub App installation token (app id and private
 * key → a short-lived token from GitHub's API, renewed before it expires by @octokit/auth-app).
 * They reach git through GIT_ASKPASS: a script that prints values from git's own environment.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAppAuth } from '@octokit/auth-app';
import { request } from '@octokit/request';
import { ControllerError, systemErrorCode } from '../../contract/errors.js';
import { isRecord } from '../../contract/json.js';

export interface GitLogin {
  username: string;
  password: string;
}

export interface GitCredentials {
  /** What git should send now (a GitHub App token is fetched or renewed when needed). */
  get(): Promise<GitLogin>;
}

/** How the configuration names the credentials (controller/source/git-config.ts). */
export type GitCredentialsConfig =
  | { kind: 'token'; username: string; token?: string; tokenFile?: string }
  | { kind: 'github-app'; appId: string; installationId: string; privateKey?: string; privateKeyFile?: string; apiUrl: string };

async function secretFrom(value: string | undefined, file: string | undefined, what: string): Promise<string> {
  if (value !== undefined) return value;
  try {
    return (await readFile(file!, 'utf8')).trim();
  } catch (error) {
    throw new ControllerError('SOURCE_UNAVAILABLE', `could not read the ${what} file ${file}: ${systemErrorCode(error) ?? 'error'}`, { retryable: true, cause: error });
  }
}

export function gitCredentials(config: GitCredentialsConfig): GitCredentials {
  if (config.kind === 'token') {
    return { get: async () => ({ username: config.username, password: await secretFrom(config.token, config.tokenFile, 'git token') }) };
  }
  let auth: ReturnType<typeof createAppAuth> | undefined;
  return {
    async get() {
      auth ??= createAppAuth({
        appId: config.appId,
        installationId: config.installationId,
        privateKey: await secretFrom(config.privateKey, config.privateKeyFile, 'GitHub App private key'),
        request: request.defaults({ baseUrl: config.apiUrl }),
      });
      try {
        const { token } = await auth({ type: 'installation' });
        return { username: 'x-access-token', password: token };
      } catch (error) {
        const status = isRecord(error) && typeof error.status === 'number' ? error.status : undefined;
        throw new ControllerError('SOURCE_UNAVAILABLE', `could not get a GitHub App installation token from ${config.apiUrl}${status ? ` (HTTP ${status})` : ''}`, { retryable: true, cause: error });
      }
    },
  };
}

/** Prints the username or the password git asks for, from the environment git was started with. */
const ASKPASS = `#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "$OPENCLAW_GIT_ASKPASS_USERNAME" ;;
  *) printf '%s\\n' "$OPENCLAW_GIT_ASKPASS_PASSWORD" ;;
esac
`;

/**
 * The environment for one git command that may need to authenticate: the askpass script (written once
 * into `dir`, holding no secret) and the login in variables only that git process and its askpass see.
 */
export async function askpassEnv(credentials: GitCredentials, dir: string): Promise<NodeJS.ProcessEnv> {
  const script = join(dir, 'askpass.sh');
  await writeFile(script, ASKPASS, { mode: 0o700 });
  await chmod(script, 0o700);
  const login = await credentials.get();
  return { GIT_ASKPASS: script, OPENCLAW_GIT_ASKPASS_USERNAME: login.username, OPENCLAW_GIT_ASKPASS_PASSWORD: login.password };
}
