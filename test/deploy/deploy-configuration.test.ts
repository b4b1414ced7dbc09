import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, loadStack } from './lib/terraform.js';

/** The environment variables the controller reads in production (controller/config.ts). */
const CONTROLLER_ENVIRONMENT = [
  'DATABASE_URL', 'OPENCLAW_DB_SECRET_ARN', 'AWS_REGION', 'OPENCLAW_PROVIDER', 'OPENCLAW_TENANT_BUCKET', 'OPENCLAW_PERMISSIONS_BOUNDARY_ARN',
  'OPENCLAW_IAM_PATH', 'OPENCLAW_SECRETS_PREFIX', 'OPENCLAW_ECS_CLUSTER', 'OPENCLAW_SUBNETS', 'OPENCLAW_SECURITY_GROUPS',
  'OPENCLAW_AGENT_TASK_DEFINITION_PREFIX', 'OPENCLAW_HTTP_PORT', 'OPENCLAW_GIT_URL', 'OPENCLAW_GIT_BRANCH',
  'OPENCLAW_GIT_PATH', 'OPENCLAW_GITHUB_APP_ID', 'OPENCLAW_GITHUB_APP_INSTALLATION_ID', 'OPENCLAW_LOG_LEVEL',
  'OPENCLAW_PUBLIC_PORT', 'OPENCLAW_PUBLIC_URL', 'OPENCLAW_GOOGLE_CLIENT_ID', 'OPENCLAW_GOOGLE_CLIENT_SECRET_ARN',
  'OPENCLAW_MICROSOFT_CLIENT_ID', 'OPENCLAW_MICROSOFT_CLIENT_SECRET_ARN', 'OPENCLAW_HUBSPOT_CLIENT_ID', 'OPENCLAW_HUBSPOT_CLIENT_SECRET_ARN',
  'OPENCLAW_SES_FROM_ADDRESS', 'OPENCLAW_SES_CONFIGURATION_SET',
];
/** Read by Node itself, not by controller/config.ts: the V8 heap cap (--max-old-space-size). */
const NODE_ENVIRONMENT = ['NODE_OPTIONS'];
/**
 * Only the git credentials, each when configured. Not the database password: it rotates, so the controller
 * reads its secret itself (OPENCLAW_DB_SECRET_ARN), not ECS at task start.
 */
const CONTROLLER_SECRETS = ['OPENCLAW_GIT_TOKEN', 'OPENCLAW_GITHUB_APP_PRIVATE_KEY'];

const stack = await loadStack();
const environment = stack.root.locals.get('controller_environment') as Record<string, string>;
const secrets = String(stack.root.locals.get('controller_secrets'));
/** controller/config.ts and the parts it reads through (config-http.ts, source/git-config.ts, ...). */
const configSource = [...readdirSync(join(REPO_ROOT, 'controller')).filter((file) => /^config(-[\w-]+)?\.ts$/.test(file)), 'source/git-config.ts']
  .map((file) => readFileSync(join(REPO_ROOT, 'controller', file), 'utf8')).join('\n');
const deployDoc = readFileSync(join(REPO_ROOT, 'docs', 'DEPLOY.md'), 'utf8');

describe('the controller configuration Terraform produces', () => {
  it('sets every environment variable the controller reads, and where it reads the rotating database password', () => {
    expect(Object.keys(environment).sort()).toEqual([...CONTROLLER_ENVIRONMENT, ...NODE_ENVIRONMENT].sort());
    for (const name of CONTROLLER_SECRETS) expect(secrets).toMatch(new RegExp(`\\b${name}\\s*=\\s*var\\.`));
    expect(secrets).toMatch(/if arn != null/);
    expect(environment.OPENCLAW_DB_SECRET_ARN).toBe('${module.database.master_user_secret_arn}');
  });

  it('sets only variables that controller/config.ts (and its parts) actually reads', () => {
    expect([...CONTROLLER_ENVIRONMENT, ...CONTROLLER_SECRETS].filter((name) => !configSource.includes(`'${name}'`))).toEqual([]);
  });

  it('has one root output per variable, named after it in lower case, holding the same value', () => {
    const expected = Object.keys(environment).map((name) => [name.toLowerCase(), `\${local.controller_environment.${name}}`]);
    for (const [output, value] of expected) expect(stack.root.outputs.get(output)?.value, output).toBe(value);
  });

  it('takes git credentials only as Secrets Manager ARNs, marks any credential variable sensitive and outputs none', () => {
    const variables = [...stack.root.variables];
    const credential = variables.filter(([name]) => /token|password|private_key|credential/.test(name) && !name.endsWith('_arn'));
    expect(credential.filter(([, body]) => body.sensitive !== true).map(([name]) => name)).toEqual([]);
    const outputs = JSON.stringify([...stack.root.outputs.values()]);
    expect(outputs).not.toContain('controller_secrets');
    for (const [name] of credential) expect(outputs).not.toContain(`var.${name}`);
    expect(stack.root.variables.get('git_token_secret_arn')?.default).toBeNull();
    expect(String(stack.root.variables.get('git_url')?.validation?.[0]?.condition)).toContain('!can(regex(');
  });

  it('runs the controller service with exactly that environment and those secrets', () => {
    const call = stack.root.modules.get('compute')!;
    expect(call.controller_environment).toBe('${local.controller_environment}');
    expect(call.controller_secrets).toBe('${local.controller_secrets}');
    const container = String(stack.children.get('compute')!.resources.get('aws_ecs_task_definition.controller')?.container_definitions);
    expect(container).toContain('for key, value in var.controller_environment');
    expect(container).toContain('for key, value in var.controller_secrets');
  });

  it('keeps the controller defaults for the IAM path, the secrets prefix, the agent families and the port', () => {
    const defaults = Object.fromEntries(['iam_path', 'secrets_prefix', 'agent_task_definition_prefix', 'http_port']
      .map((name) => [name, stack.root.variables.get(name)?.default]));
    expect(defaults).toEqual({ iam_path: '/openclaw/tenants/', secrets_prefix: 'openclaw', agent_task_definition_prefix: 'openclaw-agent-', http_port: 8080 });
    expect(environment.OPENCLAW_PROVIDER).toBe('aws');
  });

  it('verifies the database certificate, with the RDS certificate authorities the image trusts', () => {
    expect(environment.DATABASE_URL).toMatch(/^postgresql:\/\/[^:@]+@[^?]+\?sslmode=verify-full$/);
    expect(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')).toMatch(/NODE_EXTRA_CA_CERTS=\/etc\/ssl\/certs\/rds-global-bundle\.pem/);
  });
});

describe('docs/DEPLOY.md', () => {
  it('maps each Terraform output to its environment variable in a table', () => {
    const rows = Object.keys(environment)
      .filter((name) => !new RegExp(`^\\|\\s*\`${name.toLowerCase()}\`\\s*\\|\\s*\`${name}\`\\s*\\|`, 'm').test(deployDoc));
    expect(rows).toEqual([]);
  });

  it('walks from an empty account to a running controller: state bucket, lockfile, init, image, apply, check', () => {
    for (const step of ['s3api create-bucket', 'put-bucket-versioning', 'use_lockfile', 'terraform init -backend-config', 'docker push', 'terraform apply', 'aws ecs describe-services', '/healthz']) {
      expect(deployDoc, step).toContain(step);
    }
  });
});
