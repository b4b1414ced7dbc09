import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './lib/paths.js';

/** scripts/push-image.sh, run with `aws` and `docker` answered by an ECR double with immutable tags (ecr-double/cli.mjs). */
const SCRIPT = join(REPO_ROOT, 'scripts', 'push-image.sh');
const URL = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/openclaw';
const SHA = '0123456789abcdef0123456789abcdef01234567';

interface EcrState { repositories: Record<string, Record<string, string>>; local: Record<string, string>; calls: string[]; denied?: boolean }

let dir: string;
const statePath = () => join(dir, 'state.json');
const state = (): EcrState => JSON.parse(readFileSync(statePath(), 'utf8')) as EcrState;
const setState = (next: EcrState) => writeFileSync(statePath(), JSON.stringify(next));

function push(localImage = `openclaw:${SHA}`) {
  return spawnSync('bash', [SCRIPT, localImage, URL, SHA], {
    encoding: 'utf8',
    env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, ECR_DOUBLE_STATE: statePath() },
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'push-image-'));
  spawnSync('mkdir', [join(dir, 'bin')]);
  for (const name of ['aws', 'docker']) symlinkSync(join(REPO_ROOT, 'test', 'deploy', 'ecr-double', 'cli.mjs'), join(dir, 'bin', name));
  setState({ repositories: { openclaw: {} }, local: { [`openclaw:${SHA}`]: 'sha256:first-build' }, calls: [] });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('pushing the release image (scripts/push-image.sh)', () => {
  it('pushes the image under the commit SHA when the repository does not have that tag', () => {
    const result = push();
    expect(result.status, result.stderr).toBe(0);
    expect(state().repositories.openclaw).toEqual({ [SHA]: 'sha256:first-build' });
  });

  it('succeeds on a re-run without pushing again, and keeps the image that was pushed first', () => {
    expect(push().status).toBe(0);
    // The re-run built the same commit again: another digest, which an immutable tag must not replace.
    setState({ ...state(), local: { [`openclaw:${SHA}`]: 'sha256:second-build' }, calls: [] });
    const rerun = push();
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('not pushed again');
    expect(state().calls.filter((call) => call.startsWith('docker push'))).toEqual([]);
    expect(state().repositories.openclaw[SHA]).toBe('sha256:first-build');
  });

  it('fails without pushing when it cannot tell whether the tag exists', () => {
    setState({ ...state(), denied: true });
    const result = push();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot tell whether .*AccessDeniedException/);
    expect(state().calls.filter((call) => call.startsWith('docker'))).toEqual([]);
  });

  it('names its arguments when called without them', () => {
    const result = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
    expect(result.status).toBe(64);
    expect(result.stderr).toMatch(/usage: .*<local image> <repository url> <tag>/);
  });

  it('is the step that pushes in deploy.yml, so the workflow re-runs the same way', () => {
    const workflow = readFileSync(join(REPO_ROOT, '.github', 'workflows', 'deploy.yml'), 'utf8');
    expect(workflow).toMatch(/run: \.\/scripts\/push-image\.sh "openclaw:\$\{GITHUB_SHA\}" "\$\{ECR_REPOSITORY_URL\}" "\$\{GITHUB_SHA\}"/);
    expect(workflow).not.toMatch(/docker push/);
  });
});
