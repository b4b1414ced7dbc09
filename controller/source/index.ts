import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { directorySource } from './directory.js';
import type { ManifestSource } from './types.js';

/** The source the configuration names: OPENCLAW_TENANTS_DIR (a git source arrives with OPENCLAW_GIT_URL). */
export function createSource(config: Readonly<Config>, deps: { log: Logger; cwd: string }): ManifestSource {
  void deps.log;
  return directorySource(config.tenantsDir, { displayBase: deps.cwd });
}

export type { ManifestSource, SourceSnapshot } from './types.js';
