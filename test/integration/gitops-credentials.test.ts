import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../controller/config.js';
import { createLogger } from '../../contract/logger.js';
import { errorMessage } from '../../contract/errors.js';
import { gitSource } from '../../controller/source/git.js';
import { gitCredentials, type GitCredentialsConfig } from '../../controller/source/git-credentials.js';
import { createGitRepo, tenantYaml, type GitRepo } from '../helpers/git-repo.js';
import { gitHttpServer, githubTokenDouble, type Listening } from '../helpers/git-http.js';

const TOKEN = 'ghp_personalT0kenThatMustNotLeak';

describe('git credentials: from a secret to git through askpass, never in a URL or argv', () => {
  let origin: GitRepo;
  let root: string;
  let argvLog: string;
  let savedPath: string | undefined;
  let app: Awaited<ReturnType<typeof githubTokenDouble>>;
  let server: Listening & { logins: string[] };

  beforeAll(async () => {
    origin = createGitRepo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    origin.commit('one tenant');
    root = mkdtempSync(join(tmpdir(), 'openclaw-git-auth-'));
    // Every git command the controller starts goes through this shim, which records its argv.
    argvLog = join(root, 'argv.log');
    writeFileSync(join(root, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec /usr/bin/git "$@"\n`);
    chmodSync(join(root, 'git'), 0o755);
    savedPath = process.env.PATH;
    process.env.PATH = `${root}:${savedPath}`;
    app = await githubTokenDouble('12345', '678');
    server = await gitHttpServer(origin.dir, 'x-access-token', () => [TOKEN, ...app.issued]);
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await server?.close();
    await app?.close();
    origin?.close();
    rmSync(root, { recursive: true, force: true });
  });

  function load(credentials?: GitCredentialsConfig) {
    const logs: string[] = [];
    const log = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _e, done) { logs.push(String(chunk)); done(); } }) });
    const cacheDir = mkdtempSync(join(root, 'cache-'));
    const source = gitSource({
      url: `${server.url}/repo.git`, branch: 'main', path: 'tenants/', intervalMs: 60_000, cacheDir, log, timeoutMs: 20_000,
      ...(credentials ? { credentials: gitCredentials(credentials) } : {}),
    });
    return { snapshot: source.load(), logs };
  }

  it('fetches with a personal token read from a file, which appears in no argv, error or log', async () => {
    const tokenFile = join(root, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const { snapshot, logs } = load({ kind: 'token', username: 'x-access-token', tokenFile });
    expect((await snapshot).tenants.map((t) => t.name)).toEqual(['acme']);
    expect(server.logins.length).toBeGreaterThan(0);
    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('fetch');
    expect(argv).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('is refused by the server without credentials, and says so without leaking anything', async () => {
    const { snapshot } = load();
    await expect(snapshot).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
  });

  it('fetches with a GitHub App installation token obtained from the app id and private key', async () => {
    const keyFile = join(root, 'app.pem');
    writeFileSync(keyFile, app.privateKey, { mode: 0o600 });
    const { snapshot } = load({ kind: 'github-app', appId: '12345', installationId: '678', privateKeyFile: keyFile, apiUrl: app.url });
    expect((await snapshot).tenants.map((t) => t.name)).toEqual(['acme']);
    expect(app.issued).toHaveLength(1);
    expect(readFileSync(argvLog, 'utf8')).not.toContain(app.issued[0]);
  });

  it('fails with a clear error when GitHub refuses the App (a wrong key)', async () => {
    const other = await githubTokenDouble('12345', '678');
    try {
      const { snapshot } = load({ kind: 'github-app', appId: '12345', installationId: '678', privateKey: other.privateKey, apiUrl: app.url });
      await expect(snapshot).rejects.toThrow(`could not get a GitHub App installation token from ${app.url} (HTTP 401)`);
    } finally {
      await other.close();
    }
  });
});

describe('git credentials in the configuration', () => {
  const base = { OPENCLAW_GIT_URL: 'https://github.com/example-org/tenants.git' };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env, '/tmp');
      return '';
    } catch (error) {
      return errorMessage(error);
    }
  };

  it('refuses a token inside OPENCLAW_GIT_URL without repeating it', () => {
    const message = problems({ OPENCLAW_GIT_URL: `https://x-access-token:${TOKEN}@github.com/o/r.git` });
    expect(message).toContain('OPENCLAW_GIT_URL: the value given holds a credential');
    expect(message).not.toContain(TOKEN);
    expect(problems({ OPENCLAW_GIT_URL: 'ssh://git@github.com/o/r.git' })).toBe('');
  });

  it('takes a personal token from OPENCLAW_GIT_TOKEN or a file, and a GitHub App from its id, installation and key', () => {
    expect(loadConfig({ ...base, OPENCLAW_GIT_TOKEN: TOKEN }, '/tmp').git.credentials).toEqual({ kind: 'token', username: 'x-access-token', token: TOKEN });
    expect(loadConfig({ ...base, OPENCLAW_GITHUB_APP_ID: '1', OPENCLAW_GITHUB_APP_INSTALLATION_ID: '2', OPENCLAW_GITHUB_APP_PRIVATE_KEY_FILE: '/run/secrets/app.pem' }, '/tmp').git.credentials)
      .toEqual({ kind: 'github-app', appId: '1', installationId: '2', privateKeyFile: '/run/secrets/app.pem', apiUrl: 'https://api.github.com' });
  });

  it('names every inconsistent combination', () => {
    expect(problems({ ...base, OPENCLAW_GIT_TOKEN: TOKEN, OPENCLAW_GIT_TOKEN_FILE: '/t' })).toContain('OPENCLAW_GIT_TOKEN_FILE: set either it or OPENCLAW_GIT_TOKEN');
    expect(problems({ ...base, OPENCLAW_GIT_TOKEN: TOKEN, OPENCLAW_GITHUB_APP_ID: '1' })).toContain('a GitHub App and a git token are both configured');
    expect(problems({ ...base, OPENCLAW_GITHUB_APP_ID: '1' })).toContain('a GitHub App needs OPENCLAW_GITHUB_APP_ID, OPENCLAW_GITHUB_APP_INSTALLATION_ID');
    expect(problems({ OPENCLAW_GIT_TOKEN: TOKEN })).toContain('OPENCLAW_GIT_URL: required when git credentials are configured');
    expect(problems({ ...base, OPENCLAW_GIT_TOKEN: 'two words' })).not.toContain('two words');
  });
});
