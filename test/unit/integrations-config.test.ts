import { describe, expect, it } from 'vitest';
import { parseIntegrationSecret, IntegrationSecretError, isConnected } from '../../contract/integration-secret.js';
import { loadConfig } from '../../controller/config.js';
import { ConfigError, errorMessage } from '../../contract/errors.js';

const AWS = {
  OPENCLAW_PROVIDER: 'aws', AWS_REGION: 'eu-west-1', OPENCLAW_TENANT_BUCKET: 'openclaw-tenants-prod',
  OPENCLAW_PERMISSIONS_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/openclaw-tenant-boundary',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/openclaw');
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return errorMessage(error).split('\n').slice(1).map((line) => line.trim());
  }
}

describe('OAuth provider configuration', () => {
  it('runs every provider on the sandbox locally, and none on AWS, when no client id is set', () => {
    const local = loadConfig({}, '/srv');
    expect(local.integrations.google.mode).toBe('sandbox');
    expect(local.publicFace).toEqual({ port: 8081, url: undefined, sandboxPort: 8090 });
    const aws = loadConfig(AWS, '/srv');
    expect(aws.integrations.microsoft.mode).toBe('off');
  });

  it('defaults a configured provider to its real public endpoints', () => {
    const config = loadConfig({ ...AWS, OPENCLAW_GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com', OPENCLAW_GOOGLE_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:openclaw/oauth/google-AbCdEf' }, '/srv');
    expect(config.integrations.google).toEqual({
      mode: 'real', clientId: 'client.apps.googleusercontent.com', clientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:openclaw/oauth/google-AbCdEf',
      endpoints: {
        authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth', tokenUrl: 'https://oauth2.googleapis.com/token',
        revocationUrl: 'https://oauth2.googleapis.com/revoke', apiUrl: 'https://www.googleapis.com',
      },
    });
  });

  it('names every bad value and what is allowed, without echoing a client secret', () => {
    const found = problems({
      OPENCLAW_HUBSPOT_CLIENT_ID: 'hub-client', OPENCLAW_MICROSOFT_CLIENT_SECRET: 'orphan secret with spaces',
      OPENCLAW_GOOGLE_TOKEN_URL: 'ftp://example', OPENCLAW_PUBLIC_URL: 'https://connect.example.com/', OPENCLAW_PUBLIC_PORT: '70000',
    });
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^OPENCLAW_GOOGLE_TOKEN_URL: "ftp:\/\/example" is not valid \(allowed: an http:\/\/ or https:\/\/ URL\)$/),
      expect.stringMatching(/^OPENCLAW_MICROSOFT_CLIENT_SECRET: the value given is not valid/),
      expect.stringMatching(/^OPENCLAW_HUBSPOT_CLIENT_SECRET: required when OPENCLAW_HUBSPOT_CLIENT_ID is set/),
      expect.stringMatching(/^OPENCLAW_PUBLIC_URL: .* without query, fragment or trailing slash/),
      expect.stringMatching(/^OPENCLAW_PUBLIC_PORT: "70000" is not valid/),
    ]));
    expect(found.join('\n')).not.toContain('orphan secret');
  });
});

describe('the integration secret contract', () => {
  const connected = {
    provider: 'google', accessToken: 'at', refreshToken: 'rt', expiresAt: '2026-12-03T10:00:00.000Z', scopes: ['a'],
    account: 'owner@acme.example', connectedAt: '2026-12-03T09:00:00.000Z', lastRefreshAt: null, version: 2,
  };

  it('parses a connected and a disconnected value, and a placeholder as nothing', () => {
    expect(isConnected(parseIntegrationSecret(JSON.stringify(connected)))).toBe(true);
    const disconnected = parseIntegrationSecret(JSON.stringify({ provider: 'hubspot', disconnectedAt: '2026-12-03T09:00:00.000Z', version: 3 }));
    expect(disconnected).toEqual({ provider: 'hubspot', disconnectedAt: '2026-12-03T09:00:00.000Z', version: 3 });
    expect(isConnected(disconnected)).toBe(false);
    expect(parseIntegrationSecret(undefined)).toBeUndefined();
  });

  it('names the bad field and never the value', () => {
    expect(() => parseIntegrationSecret(JSON.stringify({ ...connected, expiresAt: 'tomorrow' }))).toThrow(/expiresAt must be an ISO 8601 time/);
    expect(() => parseIntegrationSecret(JSON.stringify({ ...connected, provider: 'salesforce' }))).toThrow(IntegrationSecretError);
    expect(() => parseIntegrationSecret(JSON.stringify({ ...connected, refreshToken: '' }))).toThrow(/refreshToken must be a non-empty string/);
    expect(() => parseIntegrationSecret('{"provider":"google","accessToken":"secret-value","version":0}')).toThrow(/^integration secret: version/);
    try {
      parseIntegrationSecret(JSON.stringify({ ...connected, account: 42 }));
    } catch (error) {
      expect(String(error)).not.toContain('secret-value');
    }
  });
});
