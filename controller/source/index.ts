import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { directorySource } from './directory.js';
import { gitSource } from './git.js';
import { gitCredentials } from './git-credentials.js';
import type { ManifestSource } from './types.js';

/**
 * The source the configuration names: a git branch when OPENCLAW_GIT_URL is set (a shallow
 * clone under `<dataDir>/git`), else the directory OPENCLAW_TENANTS_DIR.
 */
export function createSource(config: Readonly<Config>, deps: { log: Logger; cwd: string; now?: () => number }): ManifestSource {
  if (config.git.url) {
    return gitSource({
      url: config.git.url,
      branch: config.git.branch,
      path: config.git.path,
      intervalMs: config.git.intervalMs,
      cacheDir: join(config.dataDir, 'git'),
      log: deps.log,
      now: deps.now,
      ...(config.git.credentials ? { credentials: gitCredentials(config.git.credentials) } : {}),
    });
  }
  return directorySource(config.tenantsDir, { displayBase: deps.cwd });
}

export { redactUrl } from './git.js';
export type { ManifestSource, SourceSnapshot } from './types.js';
