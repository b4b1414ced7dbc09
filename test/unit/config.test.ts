import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../controller/config.js';
import { parseDuration } from '../../controller/config-reader.js';
import { ConfigError, errorMessage } from '../../contract/errors.js';
import { main } from '../../controller/cli.js';

const AWS = {
  OPENCLAW_PROVIDER: 'aws',
  AWS_REGION: 'eu-west-1',
  OPENCLAW_TENANT_BUCKET: 'openclaw-tenants-prod',
  OPENCLAW_PERMISSIONS_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/openclaw');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return errorMessage(error).split('\n').slice(1).map((line) => line.trim());
  }
  return [];
}

describe('configuration from the environment', () => {
  it('defaults to the local provider, an embedded database and the tenants directory under the working directory', () => {
    const config = loadConfig({}, '/srv/openclaw');
    expect(config).toMatchObject({
      provider: 'local',
      databaseUrl: undefined,
      tenantsDir: '/srv/openclaw/tenants',
      dataDir: '/srv/openclaw/.openclaw',
      http: { port: 8080 },
      engine: { resyncIntervalMs: 300_000, concurrency: 8 },
      git: { branch: 'main', path: 'tenants/', intervalMs: 60_000 },
      safety: { maxDeleteFraction: 0.1 },
    });
  });

  it('chooses the aws provider when a tenant bucket is configured', () => {
    const { OPENCLAW_PROVIDER: _provider, ...rest } = AWS;
    expect(loadConfig(rest, '/').provider).toBe('aws');
  });

  it('is frozen, so nothing changes it after start', () => {
    const config = loadConfig({}, '/');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.aws)).toBe(true);
  });

  it('reports every bad value at once, one line each, naming the variable and what is allowed', () => {
    expect(problems({
      OPENCLAW_PROVIDER: 'gcp',
      OPENCLAW_HTTP_PORT: '80800',
      OPENCLAW_RESYNC_INTERVAL: 'soon',
      OPENCLAW_MAX_DELETE_FRACTION: '150%',
      OPENCLAW_SUBNETS: 'subnet-0abc1234,vpc-123',
    })).toEqual([
      'OPENCLAW_PROVIDER: "gcp" is not valid (allowed: local, aws)',
      'OPENCLAW_SUBNETS: "vpc-123" not valid (allowed: comma-separated subnet ids (subnet-0123abcd))',
      'OPENCLAW_HTTP_PORT: "80800" is not valid (allowed: a whole number from 0 to 65535)',
      'OPENCLAW_RESYNC_INTERVAL: "soon" is not valid (allowed: a duration such as 500ms, 30s, 5m, 1h, 7d)',
      'OPENCLAW_MAX_DELETE_FRACTION: "150%" is not valid (allowed: a fraction from 0 to 1, or a percentage such as 10%)',
    ]);
  });

  it('binds the ops server to loopback by default and reads its sign-in settings', () => {
    const config = loadConfig({}, '/');
    expect(config.http).toMatchObject({ bind: '127.0.0.1', allowedHosts: [], bodyLimitBytes: 65536, requestTimeoutMs: 30_000 });
    expect(config.http.auth).toMatchObject({ alb: undefined, oidc: undefined, operators: [], viewers: [] });
    const alb = loadConfig({ OPENCLAW_AUTH_ALB_ARN: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/ops/0123abcd', OPENCLAW_OPS_OPERATORS: 'group:platform,Alice@Example.com' }, '/');
    expect(alb.http.auth.alb).toEqual({ arn: expect.stringContaining('loadbalancer/app/ops'), region: 'eu-west-1', keyUrl: 'https://public-keys.auth.elb.eu-west-1.amazonaws.com/' });
    expect(alb.http.auth.operators).toEqual(['group:platform', 'Alice@Example.com']);
  });

  it('names each bad ops access value, and never echoes a secret', () => {
    expect(problems({
      OPENCLAW_HTTP_BIND: 'everywhere',
      OPENCLAW_AUTH_ALB_ARN: 'arn:aws:iam::123456789012:role/x',
      OPENCLAW_OIDC_ISSUER: 'https://idp.example',
      OPENCLAW_SESSION_SECRET: 'short-secret-value',
      OPENCLAW_OPS_VIEWERS: 'not an email',
    })).toEqual([
      'OPENCLAW_AUTH_ALB_ARN: "arn:aws:iam::123456789012:role/x" is not valid (allowed: an application load balancer ARN, arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)',
      'OPENCLAW_OIDC_ISSUER, OPENCLAW_OIDC_CLIENT_ID, OPENCLAW_OIDC_REDIRECT_URL: set all three for an OIDC login, or none',
      'OPENCLAW_SESSION_SECRET: the value given is not valid (allowed: at least 32 characters without spaces)',
      'OPENCLAW_OPS_VIEWERS: "not an email" not valid (allowed: comma-separated emails or group:NAME entries)',
      'OPENCLAW_HTTP_BIND: "everywhere" is not valid (allowed: an IP address such as 127.0.0.1 or 0.0.0.0, or localhost)',
    ]);
  });

  it('requires region, bucket and permissions boundary for the aws provider', () => {
    expect(problems({ OPENCLAW_PROVIDER: 'aws' })).toEqual([
      'AWS_REGION: required when OPENCLAW_PROVIDER=aws (allowed: an AWS region such as eu-west-1)',
      'OPENCLAW_TENANT_BUCKET: required when OPENCLAW_PROVIDER=aws (allowed: an S3 bucket name)',
      'OPENCLAW_PERMISSIONS_BOUNDARY_ARN: required when OPENCLAW_PROVIDER=aws (allowed: an IAM managed policy ARN)',
    ]);
    expect(problems(AWS)).toEqual([]);
  });

  it('rejects malformed AWS values with what is allowed', () => {
    expect(problems({ ...AWS, AWS_REGION: 'Europe', OPENCLAW_TENANT_BUCKET: 'Bad_Bucket', AWS_ENDPOINT_URL: 'localhost:4566' })).toEqual([
      'OPENCLAW_TENANT_BUCKET: "Bad_Bucket" is not valid (allowed: an S3 bucket name: 3-63 lowercase letters, digits, "." and "-")',
      'AWS_REGION: "Europe" is not valid (allowed: an AWS region such as eu-west-1)',
      'AWS_ENDPOINT_URL: "localhost:4566" is not valid (allowed: an http:// or https:// URL)',
    ]);
  });

  it('sends email from the configured SES address and configuration set, locally from the outbox’s default sender, and names a bad one', () => {
    expect(loadConfig({ ...AWS, OPENCLAW_SES_FROM_ADDRESS: 'digest@mail.openclaw.example', OPENCLAW_SES_CONFIGURATION_SET: 'openclaw-digests' }, '/srv').email)
      .toEqual({ fromAddress: 'digest@mail.openclaw.example', configurationSet: 'openclaw-digests' });
    expect(loadConfig(AWS, '/srv').email).toEqual({ fromAddress: undefined, configurationSet: undefined });
    expect(loadConfig({}, '/srv').email.fromAddress).toBe('digest@openclaw.localhost');
    expect(problems({ ...AWS, OPENCLAW_SES_FROM_ADDRESS: 'OpenClaw <digest@mail.openclaw.example>', OPENCLAW_SES_CONFIGURATION_SET: 'digests!' })).toEqual([
      'OPENCLAW_SES_FROM_ADDRESS: "OpenClaw <digest@mail.openclaw.example>" is not valid (allowed: a plain email address such as digest@mail.example.com (no display name))',
      'OPENCLAW_SES_CONFIGURATION_SET: "digests!" is not valid (allowed: an SES configuration set name: 1-64 letters, digits, "_" and "-")',
    ]);
  });

  it('never echoes a database URL, which may hold a password', () => {
    const lines = problems({ DATABASE_URL: 'mysql://admin:hunter2@db/openclaw' });
    expect(lines).toEqual(['DATABASE_URL: the value given is not valid (allowed: a postgres:// or postgresql:// connection string)']);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('takes the database password from a Secrets Manager secret ARN (RDS names it rds!db-…), only with a DATABASE_URL', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7-AbCdEf';
    expect(loadConfig({ DATABASE_URL: 'postgresql://openclaw_admin@db:5432/openclaw', OPENCLAW_DB_SECRET_ARN: arn }, '/w').databaseSecretArn).toBe(arn);
    expect(problems({ DATABASE_URL: 'postgresql://u@db/openclaw', OPENCLAW_DB_SECRET_ARN: 'openclaw/db' })).toEqual([
      'OPENCLAW_DB_SECRET_ARN: "openclaw/db" is not valid (allowed: a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
    ]);
    expect(problems({ OPENCLAW_DB_SECRET_ARN: arn })).toEqual([
      'OPENCLAW_DB_SECRET_ARN: needs DATABASE_URL (allowed: the password of the DATABASE_URL user, which the embedded PostgreSQL does not use)',
    ]);
  });

  it('reads durations in ms, s, m, h and d', () => {
    expect([parseDuration('500ms'), parseDuration('30s'), parseDuration('5m'), parseDuration('1h'), parseDuration('7d')])
      .toEqual([500, 30_000, 300_000, 3_600_000, 604_800_000]);
    expect(parseDuration('5 minutes')).toBeUndefined();
  });

  it('stops tenantctl with exit status 1 and the problem before anything is started or written', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openclaw-config-'));
    let stderr = '';
    const code = await main(['plan'], {
      stdout: () => {},
      stderr: (text) => { stderr += text; },
      env: { OPENCLAW_DATA_DIR: dataDir, OPENCLAW_CONCURRENCY: '0' },
      cwd: process.cwd(),
    });
    expect(code).toBe(1);
    expect(stderr).toContain('OPENCLAW_CONCURRENCY: "0" is not valid (allowed: a whole number from 1 to 256)');
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
