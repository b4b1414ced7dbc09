import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import { REPO_ROOT, captureIo, exampleManifests, manifest, removeTempDirs, tempDir, yaml } from './manifests/helpers.js';

/** A manifest with two problems: scout on the starter tier (line 11) and an unknown field (line 13). */
const BROKEN = manifest({ spec: yaml('  agents:', '    - name: scout', '      schedule: "0 7 * * *"', '  colour: blue') });

/** A project checkout with a tenants/ directory holding `files`; errors are printed relative to it. */
function project(files: Record<string, string>): string {
  return tempDir(Object.fromEntries(Object.entries(files).map(([name, text]) => [`tenants/${name}`, text])));
}

async function run(argv: string[], cwd = REPO_ROOT, env: Record<string, string | undefined> = {}) {
  const captured = captureIo(cwd, env);
  const code = await main(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

afterEach(removeTempDirs);

describe('tenantctl validate', () => {
  it('exits 0 on the example tenants and says how many it checked', async () => {
    const count = exampleManifests().length;
    expect(await run(['validate', 'tenants/'])).toEqual({ code: 0, stdout: `${count} tenants in ${count} files: valid\n`, stderr: '' });
  });

  it('validates tenants/ of the working directory when no directory is given', async () => {
    expect((await run(['validate'])).code).toBe(0);
  });

  it('validates the directory in OPENCLAW_TENANTS_DIR when no directory is given', async () => {
    const dir = project({ 'acme.yaml': BROKEN });
    expect((await run(['validate'], REPO_ROOT, { OPENCLAW_TENANTS_DIR: join(dir, 'tenants') })).code).toBe(1);
  });

  it('exits 1 on a broken manifest and prints one `path:line:col field: message` line per error, then a count', async () => {
    const cwd = project({ 'acme.yaml': BROKEN, 'globex.yaml': manifest({ name: 'globex' }) });
    const { code, stdout, stderr } = await run(['validate', 'tenants'], cwd);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      'tenants/acme.yaml:11:13 spec.agents[0].name: "scout" is not included in tier "starter" (allowed: butler)',
      'tenants/acme.yaml:13:3 spec.colour: unknown field "colour" (allowed: displayName, contact, tier, isolation, suspended, deletionPolicy, agents, integrations, storage, costAllocationTags, billing, limits)',
      '2 errors in 1 file(s)',
      '',
    ]);
    for (const line of stderr.split('\n').slice(0, 2)) expect(line).toMatch(/^[^\s:]+:\d+:\d+ [^\s:]+: \S.*$/);
  });

  it('exits 1 on a file that is not YAML, with the position of the syntax error', async () => {
    const cwd = project({ 'acme.yaml': 'apiVersion: openclaw.io/v1alpha1\nkind: "Tenant\n' });
    const { code, stderr } = await run(['validate', 'tenants'], cwd);
    expect(code).toBe(1);
    expect(stderr).toContain('tenants/acme.yaml:2:7 kind: invalid YAML: the string opened by " here is never closed (missing closing ")\n');
  });

  it('exits 1 with a clear message when the directory does not exist', async () => {
    expect(await run(['validate', 'no-such-dir'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: could not read manifest directory ${join(REPO_ROOT, 'no-such-dir')}: no such directory\n`,
    });
  });

  it('exits 1 when the path given is a file, not a directory', async () => {
    const { code, stderr } = await run(['validate', 'package.json']);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: manifest source ${join(REPO_ROOT, 'package.json')} is not a directory\n`);
  });

  describe('--output json', () => {
    it('prints parseable JSON with valid, the tenants and no errors for valid manifests', async () => {
      const { code, stdout, stderr } = await run(['validate', 'tenants', '--output', 'json']);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({ valid: true, errors: [] });
      expect(report.tenants).toEqual(expect.arrayContaining(['acme', 'globex', 'initech']));
      expect(report.files).toHaveLength(exampleManifests().length);
    });

    it('prints each error with file, line, column, field path and message for invalid manifests, and exits 1', async () => {
      const cwd = project({ 'acme.yaml': BROKEN });
      const { code, stdout, stderr } = await run(['validate', 'tenants', '-o', 'json'], cwd);
      expect(code).toBe(1);
      expect(stderr).toBe('');
      const report = JSON.parse(stdout);
      expect(report.valid).toBe(false);
      expect(report.tenants).toEqual([]);
      expect(report.errors).toEqual([
        expect.objectContaining({ file: 'tenants/acme.yaml', line: 11, column: 13, path: 'spec.agents[0].name', layer: 'semantic' }),
        expect.objectContaining({ file: 'tenants/acme.yaml', line: 13, column: 3, path: 'spec.colour', layer: 'schema' }),
      ]);
      for (const error of report.errors) expect(error.message).toEqual(expect.any(String));
    });
  });

  describe('usage errors exit 64', () => {
    it('rejects an unknown option, printing the usage', async () => {
      const { code, stdout, stderr } = await run(['validate', '--strict']);
      expect(code).toBe(64);
      expect(stdout).toBe('');
      expect(stderr).toBe("tenantctl validate: Unknown option '--strict'\nusage: tenantctl validate [DIR] [--output text|json]\n");
    });

    it('rejects a second directory', async () => {
      const { code, stderr } = await run(['validate', 'tenants', 'more-tenants']);
      expect(code).toBe(64);
      expect(stderr).toBe('tenantctl validate: unexpected argument "more-tenants"\nusage: tenantctl validate [DIR] [--output text|json]\n');
    });

    it('rejects an output format it cannot print, listing the ones it can', async () => {
      const { code, stderr } = await run(['validate', 'tenants', '--output', 'xml']);
      expect(code).toBe(64);
      expect(stderr).toBe('tenantctl validate: --output "xml" is not supported (allowed: text, json)\nusage: tenantctl validate [DIR] [--output text|json]\n');
    });

    it('rejects --output without a value', async () => {
      expect((await run(['validate', '--output'])).code).toBe(64);
    });
  });

  it('prints its usage for --help and exits 0', async () => {
    const { code, stdout } = await run(['validate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: tenantctl validate [DIR] [--output text|json]');
  });
});

describe('tenantctl', () => {
  it('exits 64 (usage) on an unknown command, listing the commands', async () => {
    const { code, stderr } = await run(['valdiate']);
    expect(code).toBe(64);
    expect(stderr).toMatch(/^tenantctl: unknown command "valdiate" \(allowed: .*\bvalidate\b.*\)\n$/);
  });

  it('exits 64 (usage) with the list of commands when given none', async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(64);
    expect(stderr).toContain('usage: tenantctl <command> [options]');
    expect(stderr).toMatch(/^ {2}validate +Check tenant manifests/m);
  });

  it('runs as the real bin: `node bin/tenantctl.js validate tenants/` exits 0', () => {
    const child = spawnSync(process.execPath, ['bin/tenantctl.js', 'validate', 'tenants/'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/^\d+ tenants in \d+ files: valid\n$/);
  });

  it('runs as the real bin on a broken manifest: exits 1 with file:line:column errors', () => {
    const cwd = project({ 'acme.yaml': BROKEN });
    const child = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tenantctl.js'), 'validate', 'tenants'], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('tenants/acme.yaml:11:13 spec.agents[0].name: "scout" is not included in tier "starter" (allowed: butler)\n');
  });
});
