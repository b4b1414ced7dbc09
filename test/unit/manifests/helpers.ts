/**
 * Shared helpers for the manifest and `tenantctl validate` tests: a valid manifest whose
 * line numbers are known, in-memory validation that returns the printed `file:line:col`
 * lines, temporary directories, and a captured CLI io.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../../controller/cli/command.js';
import { formatIssue, validateManifests } from '../../../controller/manifests/index.js';
import type { ValidationResult } from '../../../controller/manifests/types.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TENANTS_DIR = join(REPO_ROOT, 'tenants');
export const FIXTURES_DIR = join(REPO_ROOT, 'test/fixtures/manifests');

/** The file name the in-memory manifests are reported under. */
export const FILE = 'tenants/acme.yaml';

/** The line on which the `spec` text given to manifest() starts. */
export const SPEC_LINE = 10;

/** What every rejected tenant name is told is allowed. */
export const NAME_RULE =
  'allowed: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 40 characters so that every derived name fits (PostgreSQL identifiers 63 bytes, IAM role names 64)';

export interface ManifestOptions {
  /** metadata.name as written in YAML (quote it yourself when it needs quoting). */
  name?: string;
  tier?: string;
  /** Further lines of `spec`, indented by two spaces; the first is line SPEC_LINE. */
  spec?: string;
}

/**
 * A valid starter tenant, line by line:
 *   1 apiVersion  2 kind  3 metadata:  4 name  5 spec:  6 displayName  7 contact:  8 email  9 tier  10… `spec`
 */
export function manifest({ name = 'acme', tier = 'starter', spec = '' }: ManifestOptions = {}): string {
  return [
    'apiVersion: openclaw.io/v1alpha1',
    'kind: Tenant',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  displayName: Acme Bakeries',
    '  contact:',
    '    email: ops@acme.example',
    `  tier: ${tier}`,
    spec,
  ].join('\n');
}

/** Lines joined with newlines, ending in one: a YAML file written by hand. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** The starter tenant with one butler agent (name on line 11, schedule on 12) and `agentLines` from line 13. */
export function withButler(...agentLines: string[]): string {
  return manifest({ spec: yaml('  agents:', '    - name: butler', '      schedule: "0 7 * * *"', ...agentLines) });
}

export function validate(text: string, file = FILE): ValidationResult {
  return validateManifests([{ file, text }]);
}

/** Every issue as `tenantctl validate` prints it: `file:line:col path: message`. */
export function problems(text: string, file = FILE): string[] {
  return validate(text, file).issues.map(formatIssue);
}

/** The example manifests in tenants/, as in-memory inputs. */
export function exampleManifests(): { file: string; text: string }[] {
  return readdirSync(TENANTS_DIR)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => ({ file: `tenants/${name}`, text: readFileSync(join(TENANTS_DIR, name), 'utf8') }));
}

const tempDirs: string[] = [];

/** A fresh directory holding `files` (relative path → content); removed by removeTempDirs(). */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-manifests-'));
  tempDirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface CapturedIo {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

/** A CliIo that records what a command prints, with no OPENCLAW_* environment leaking in. */
export function captureIo(cwd = REPO_ROOT, env: Record<string, string | undefined> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    io: { stdout: (text) => void (out += text), stderr: (text) => void (err += text), env, cwd },
    stdout: () => out,
    stderr: () => err,
  };
}
