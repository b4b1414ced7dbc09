import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENTS } from '../../contract/catalog.js';
import { REPO_ROOT } from './lib/paths.js';

/**
 * The production build (`npm run build`, what the image runs as /app), built once into a temporary
 * directory without type checking (`npm run typecheck` checks the same files), then run side by side
 * with the sources through tsx where their answers can be compared.
 */
let root: string;
let out: string;
let manifests: string;

const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

function node(args: readonly string[], cwd = root, env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));
}

/** The compiled modules (bin/tenantctl.js is the launcher, copied as it is). */
function compiledModules(): string[] {
  return ['contract', 'controller', 'agents'].flatMap((dir) => filesUnder(join(out, dir))).filter((f) => f.endsWith('.js'));
}

/** A script that validates two manifests in the worker thread of the module given and prints the outcome. */
const offThread = (module: string) => `
import { readFileSync } from 'node:fs';
const { validateOffThread } = await import(${JSON.stringify(pathToFileURL(module).href)});
const text = (name) => readFileSync(${JSON.stringify(join(REPO_ROOT, 'tenants'))} + '/' + name, 'utf8');
const result = await validateOffThread([
  { file: 'acme.yaml', text: text('acme.yaml') },
  { file: 'bad.yaml', text: text('globex.yaml').replace(/tier: \\w+/, 'tier: platinum') },
]);
console.log(JSON.stringify(result.issues));`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'openclaw-build-'));
  out = join(root, 'dist');
  // The compiled tree finds package.json ("type": "module") and node_modules the way the image does: above it.
  copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs'), out, '--no-check'], { encoding: 'utf8' });
  expect(build.stderr + build.stdout).toBe('');
  expect(build.status).toBe(0);
  manifests = join(root, 'tenants');
  mkdirSync(manifests);
  copyFileSync(join(REPO_ROOT, 'tenants/acme.yaml'), join(manifests, 'acme.yaml'));
  writeFileSync(join(manifests, 'bad.yaml'), readFileSync(join(REPO_ROOT, 'tenants/globex.yaml'), 'utf8').replace(/tier: \w+/, 'tier: platinum'));
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the compiled build', () => {
  it('holds JavaScript only, with the layout of the repository', () => {
    const files = filesUnder(out).map((f) => relative(out, f));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([
      'bin/tenantctl.js', 'controller/cli.js', 'agents/run.js', 'contract/catalog.js',
      'controller/manifests/validation-thread.js', 'migrations/tenant/0001_workspace.sql', 'crds/tenants.openclaw.io.yaml', 'controller/status/page/index.html',
    ]));
  });

  it('answers tenantctl validate exactly as the sources do through tsx, for a valid and an invalid manifest', () => {
    const compiled = node([join(out, 'bin/tenantctl.js'), 'validate', 'tenants/']);
    const source = node([join(REPO_ROOT, 'bin/tenantctl.js'), 'validate', 'tenants/']);
    expect(compiled.status).toBe(1);
    expect(compiled.stderr + compiled.stdout).toMatch(/bad\.yaml:\d+:\d+.*platinum/s);
    expect(compiled).toEqual(source);
  });

  it('validates in its own worker thread, without tsx', () => {
    // A script in a file: a worker thread inherits the process's flags, and --input-type would stop it.
    writeFileSync(join(root, 'off-thread.mjs'), offThread(join(out, 'controller/manifests/off-thread.js')));
    const compiled = node(['off-thread.mjs']);
    expect(compiled.stderr).toBe('');
    const issues = JSON.parse(compiled.stdout) as { file: string; path: string; message: string }[];
    expect(issues).toEqual([expect.objectContaining({ file: 'bad.yaml', path: 'spec.tier', message: expect.stringContaining('"platinum" is not allowed') })]);
  });

  it('starts an agent with the catalog’s command (ECS task definitions, local launcher) where the compiled tree is the working directory', () => {
    const [program, ...args] = AGENTS.butler.command;
    expect(program).toBe('node');
    // With no environment at all, the agent starts and refuses to run, naming what is missing.
    const compiled = node(args, out, { PATH: process.env.PATH });
    expect(compiled.status).toBe(2);
    const line = JSON.parse(compiled.stdout) as { msg: string; err: { message: string } };
    expect(line.msg).toBe('agent not started');
    expect(line.err.message).toMatch(/OPENCLAW_TENANT: required/);
  });

  it('refuses to build into a directory that is not a previous build, since it empties it first, and leaves it as it was', () => {
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs'), manifests, '--no-check'], { encoding: 'utf8' });
    expect(build.status).toBe(2);
    expect(build.stderr).toContain(`${manifests} exists and is not a previous build`);
    expect(readdirSync(manifests).sort()).toEqual(['acme.yaml', 'bad.yaml']);
    expect(existsSync(join(out, '.openclaw-build'))).toBe(true);
  });

  it('finds every file its modules read relative to themselves (migrations, CRDs, page assets)', () => {
    const missing: string[] = [];
    for (const file of compiledModules()) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/new URL\('([^']+)', import\.meta\.url\)/g)) {
        const path = fileURLToPath(new URL(target, pathToFileURL(file)));
        if (!existsSync(path)) missing.push(`${relative(out, file)}: ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('imports only production dependencies, the packages the image installs (npm ci --omit=dev): no tsx', () => {
    const imported = new Set<string>();
    for (const file of compiledModules()) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)) {
        const specifier = match[1] ?? match[2] ?? match[3];
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const parts = specifier.split('/');
        imported.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
      }
    }
    expect(imported.size).toBeGreaterThan(10);
    expect([...imported].filter((name) => !(name in packageJson.dependencies))).toEqual([]);
    expect(packageJson.dependencies).not.toHaveProperty('tsx');
  });
});
