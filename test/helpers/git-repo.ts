import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A real git repository in a temporary directory, driven with the git CLI, reachable at a file:// URL. */
export interface GitRepo {
  dir: string;
  url: string;
  git(...args: string[]): string;
  write(file: string, text: string): void;
  remove(file: string): void;
  /** Stages everything and commits; returns the new commit's full SHA. */
  commit(message: string): string;
  head(): string;
  close(): void;
}

/** Git isolated from the machine's and the user's configuration, with an identity of its own. */
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test',
};

export function createGitRepo(branch = 'main'): GitRepo {
  const root = mkdtempSync(join(tmpdir(), 'openclaw-git-'));
  const dir = join(root, 'origin');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' }).trim();
  mkdirSync(dir);
  // The identity and the absence of signing come from GIT_ENV (no global or system configuration).
  git('init', '--quiet', `--initial-branch=${branch}`);
  return {
    dir,
    url: `file://${dir}`,
    git,
    write(file, text) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    },
    remove: (file) => git('rm', '--quiet', file),
    commit(message) {
      git('add', '--all');
      git('commit', '--quiet', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    head: () => git('rev-parse', 'HEAD'),
    close: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface TenantYamlOptions {
  displayName?: string;
  tier?: 'starter' | 'professional' | 'enterprise';
  /** Silo unless asked: these tenants' schemas are what the git tests observe. */
  isolation?: 'silo' | 'pool';
  deletionPolicy?: 'Retain' | 'Delete';
  annotations?: Record<string, string>;
}

/** A small valid tenant manifest. */
export function tenantYaml(name: string, options: TenantYamlOptions = {}): string {
  const annotations = Object.entries(options.annotations ?? {});
  return [
    'apiVersion: openclaw.io/v1alpha1',
    'kind: Tenant',
    'metadata:',
    `  name: ${name}`,
    ...(annotations.length ? ['  annotations:', ...annotations.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)] : []),
    'spec:',
    `  displayName: ${JSON.stringify(options.displayName ?? `Tenant ${name}`)}`,
    '  contact:',
    `    email: ops@${name}.example`,
    `  tier: ${options.tier ?? 'starter'}`,
    `  isolation: ${options.isolation ?? 'silo'}`,
    `  deletionPolicy: ${options.deletionPolicy ?? 'Retain'}`,
    '  agents:',
    '    - name: butler',
    '      schedule: "*/5 * * * *"',
    '      timezone: Europe/Berlin',
    '',
  ].join('\n');
}
