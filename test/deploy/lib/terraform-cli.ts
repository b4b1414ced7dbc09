/**
 * Runs the real terraform binary on a copy of terraform/, with the hashicorp/aws provider the lock file
 * pins taken from a filesystem mirror (no registry, no network) and every AWS endpoint pointed at the
 * AWS double served over HTTP, through a test-only override file. `locateTerraform` says why, when the
 * binary or the mirror is missing, so the tests can skip with that reason.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TERRAFORM_DIR } from './paths.js';

export const LOCK_FILE = join(TERRAFORM_DIR, '.terraform.lock.hcl');

/** The hashicorp/aws version .terraform.lock.hcl pins. */
export function lockedAwsVersion(): string | undefined {
  if (!existsSync(LOCK_FILE)) return undefined;
  return /provider "registry\.terraform\.io\/hashicorp\/aws" \{\s*version\s*=\s*"([^"]+)"/.exec(readFileSync(LOCK_FILE, 'utf8'))?.[1];
}

const PLATFORM = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** Where provider mirrors usually are; OPENCLAW_TF_PLUGIN_DIR first. */
function mirrorCandidates(): string[] {
  return [
    process.env.OPENCLAW_TF_PLUGIN_DIR, '/opt/tf-plugins', join(homedir(), '.terraform.d', 'plugins'),
    '/usr/local/share/terraform/plugins', '/usr/share/terraform/plugins',
  ].filter((dir): dir is string => Boolean(dir));
}

export type Located = { ok: true; mirror: string; version: string } | { ok: false; reason: string };

export function locateTerraform(): Located {
  const binary = spawnSync('terraform', ['version'], { encoding: 'utf8', env: cliEnv() });
  if (binary.status !== 0) return { ok: false, reason: 'no terraform binary on PATH' };
  const version = lockedAwsVersion();
  if (!version) return { ok: false, reason: 'terraform/.terraform.lock.hcl pins no hashicorp/aws version' };
  const mirror = mirrorCandidates().find((dir) => {
    const packageDir = join(dir, 'registry.terraform.io', 'hashicorp', 'aws', version, PLATFORM);
    return existsSync(packageDir) && readdirSync(packageDir).some((file) => file.startsWith('terraform-provider-aws'));
  });
  if (!mirror) {
    return { ok: false, reason: `no filesystem mirror of hashicorp/aws ${version} for ${PLATFORM} in ${mirrorCandidates().join(', ')} (set OPENCLAW_TF_PLUGIN_DIR)` };
  }
  return { ok: true, mirror, version };
}

/** No user CLI configuration, no checkpoint calls, no prompts; a shared plugin cache so later inits only link. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const cache = join(tmpdir(), 'openclaw-terraform-plugin-cache');
  mkdirSync(cache, { recursive: true });
  return {
    ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_PLUGIN_CACHE_DIR: cache, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0',
    AWS_ACCESS_KEY_ID: 'AKIDTERRAFORMTEST', AWS_SECRET_ACCESS_KEY: 'terraform-test', AWS_EC2_METADATA_DISABLED: 'true', ...extra,
  };
}

export interface Run { code: number; stdout: string; stderr: string }

/** Runs terraform in `cwd`; `input`, when given, is its standard input (what `terraform console` evaluates). */
export function terraform(cwd: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd, env: cliEnv() });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every service a plan of this stack reaches, pointed at one endpoint. */
const ENDPOINT_SERVICES = ['ec2', 'ecr', 'ecs', 'iam', 'logs', 'rds', 's3', 'secretsmanager', 'sts'];

/**
 * A copy of terraform/ (configuration and lock file; no environments, no state) with a test-only
 * override file: local state, static credentials, and every endpoint at `endpoint`.
 */
export function prepareWorkdir(endpoint: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-terraform-'));
  for (const entry of readdirSync(TERRAFORM_DIR)) {
    if (entry.endsWith('.tf') || entry === 'modules' || entry === '.terraform.lock.hcl') cpSync(join(TERRAFORM_DIR, entry), join(dir, entry), { recursive: true });
  }
  writeFileSync(join(dir, 'test_override.tf'), `# Written by the test suite only: never in terraform/.
terraform {
  backend "local" {}
}

provider "aws" {
  skip_metadata_api_check = true
  s3_use_path_style       = true
  endpoints {
${ENDPOINT_SERVICES.map((service) => `    ${service.padEnd(14)} = "${endpoint}"`).join('\n')}
  }
}
`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTfvars(dir: string, file: string, values: Record<string, unknown>): string {
  writeFileSync(join(dir, file), Object.entries(values).map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join('\n'));
  return file;
}

export interface PlannedChange { address: string; action: string }
export interface Diagnostic { severity: string; summary: string; detail: string }

/** `terraform plan -json` output: the planned changes and the diagnostics. */
export function parsePlanJson(stdout: string): { changes: PlannedChange[]; diagnostics: Diagnostic[] } {
  const changes: PlannedChange[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line) as { type?: string; change?: { resource?: { addr?: string }; action?: string }; diagnostic?: Diagnostic };
    if (message.type === 'planned_change' && message.change?.resource?.addr) changes.push({ address: message.change.resource.addr, action: message.change.action ?? '' });
    if (message.type === 'diagnostic' && message.diagnostic) diagnostics.push(message.diagnostic);
  }
  return { changes, diagnostics };
}
