import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../controller/config.js';
import { createLogger } from '../../contract/logger.js';
import { createSource } from '../../controller/source/index.js';

const log = createLogger({ level: 'silent' });

describe('createSource', () => {
  it('follows the git branch when OPENCLAW_GIT_URL is set, with main and tenants/ as defaults', () => {
    const config = loadConfig({ OPENCLAW_GIT_URL: 'https://git.example.com/org/tenants.git', OPENCLAW_GIT_TOKEN: 'ghp_secret', OPENCLAW_DATA_DIR: '/var/lib/openclaw' }, '/srv');
    const described = createSource(config, { log, cwd: '/srv' }).describe();
    expect(described).toBe('git https://git.example.com/org/tenants.git branch main path tenants/');
    expect(described).not.toContain('ghp_secret');
  });

  it('uses the branch and path the configuration names', () => {
    const config = loadConfig({ OPENCLAW_GIT_URL: 'file:///srv/git/tenants.git', OPENCLAW_GIT_BRANCH: 'production', OPENCLAW_GIT_PATH: 'fleet/eu/' }, '/srv');
    expect(createSource(config, { log, cwd: '/srv' }).describe()).toBe('git file:///srv/git/tenants.git branch production path fleet/eu/');
  });

  it('reads the manifest directory when no git URL is set', () => {
    const config = loadConfig({ OPENCLAW_TENANTS_DIR: 'manifests' }, '/srv');
    expect(createSource(config, { log, cwd: '/srv' }).describe()).toBe('directory /srv/manifests');
  });
});
