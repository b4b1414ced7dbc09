import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_EXIT, agentObjectPrefix, reauthorizationExit, reauthorizationsOf } from '../../contract/agent-env.js';
import { ConnectorError, refusedAuthorizations } from '../../agents/connectors/errors.js';
import { INTEGRATION_PROVIDERS } from '../../contract/integration-secret.js';
import { resolveCredentials } from '../../agents/runtime/credentials.js';
import { readAgentEnv } from '../../agents/runtime/env.js';
import { signUnsubscribe, verifyUnsubscribe } from '../../controller/integrations/unsubscribe.js';
import { localObjects, scopedObjects } from '../../agents/runtime/objects.js';
import { DeliveryLedgerError, deliveryLedgerKey, ledgerText, parseLedger } from '../../agents/butler/deliveries.js';

const BASE = { OPENCLAW_TENANT: 'acme', OPENCLAW_RUN_ID: 'run-1', OPENCLAW_PROVIDER: 'local', OPENCLAW_DATA_DIR: '/tmp/x', OPENCLAW_DB_CREDENTIALS: '{"username":"u","password":"p"}' };

describe('the agent environment', () => {
  it('reads tenant, agent, run and provider settings', () => {
    expect(readAgentEnv(BASE, 'butler')).toMatchObject({ tenant: 'acme', agent: 'butler', runId: 'run-1', provider: 'local', bucket: 'local-tenants', dataDir: '/tmp/x' });
  });

  it('reports every problem on its own line', () => {
    expect(() => readAgentEnv({ OPENCLAW_PROVIDER: 'aws' }, 'poet')).toThrow(
      'invalid agent environment:\n'
      + '  agent: "poet" is not an agent (allowed: butler, scout, writer)\n'
      + '  OPENCLAW_TENANT: required, a tenant name\n'
      + '  OPENCLAW_RUN_ID: required, 1-64 letters, digits, "_" and "-"\n'
      + '  OPENCLAW_TENANT_BUCKET: required with the aws provider\n'
      + '  OPENCLAW_DB_SECRET_ARN: required (or OPENCLAW_DB_CREDENTIALS with the local provider)',
    );
  });

  it('refuses a provider or an isolation outside the shared lists, naming the variable and what is allowed', () => {
    expect(() => readAgentEnv({ ...BASE, OPENCLAW_PROVIDER: 'gcp' }, 'butler')).toThrow('  OPENCLAW_PROVIDER: "gcp" is not valid (allowed: local, aws)');
    expect(() => readAgentEnv({ ...BASE, OPENCLAW_ISOLATION: 'bridge' }, 'butler')).toThrow('  OPENCLAW_ISOLATION: "bridge" is not valid (allowed: silo, pool)');
    expect(() => readAgentEnv({ ...BASE, OPENCLAW_AGENT: 'poet' }, undefined)).toThrow('  agent: "poet" is not an agent (allowed: butler, scout, writer)');
  });

  it('puts each recipient’s one-click link together from the endpoint and the controller’s signature, a token the controller accepts for that recipient only', () => {
    const key = randomBytes(32);
    const recipients = ['ops@acme.example', 'Sales@Acme.example'];
    const env = readAgentEnv({
      ...BASE, OPENCLAW_DIGEST_RECIPIENTS: recipients.join(','), OPENCLAW_UNSUBSCRIBE_ENDPOINT: 'https://public.example/unsubscribe',
      OPENCLAW_UNSUBSCRIBE_SIGNATURES: recipients.map((address) => signUnsubscribe(key, { tenant: 'acme', address })).join(','),
    }, 'butler');
    const tokens = recipients.map((r) => new URL(env.unsubscribeUrls[r]).searchParams.get('token') ?? '');
    expect(env.unsubscribeUrls[recipients[0]]).toMatch(/^https:\/\/public\.example\/unsubscribe\?token=/);
    expect(tokens.map((t) => verifyUnsubscribe(key, t))).toEqual([{ tenant: 'acme', address: 'ops@acme.example' }, { tenant: 'acme', address: 'sales@acme.example' }]);
    expect(verifyUnsubscribe(randomBytes(32), tokens[0])).toBeUndefined();
  });

  it('refuses unsubscribe signatures that do not match the recipients one for one, or an endpoint that is not a plain http(s) URL', () => {
    const signature = 'A'.repeat(43);
    const recipients = { ...BASE, OPENCLAW_DIGEST_RECIPIENTS: 'a@acme.example,b@acme.example', OPENCLAW_UNSUBSCRIBE_ENDPOINT: 'https://public.example/unsubscribe' };
    expect(() => readAgentEnv({ ...recipients, OPENCLAW_UNSUBSCRIBE_SIGNATURES: signature }, 'butler')).toThrow('OPENCLAW_UNSUBSCRIBE_SIGNATURES: not valid (allowed: one 43-character base64url signature per recipient of OPENCLAW_DIGEST_RECIPIENTS, comma-separated, 2 here)');
    expect(() => readAgentEnv({ ...recipients, OPENCLAW_UNSUBSCRIBE_SIGNATURES: `${signature},short` }, 'butler')).toThrow(/OPENCLAW_UNSUBSCRIBE_SIGNATURES: not valid/);
    expect(() => readAgentEnv({ ...recipients, OPENCLAW_UNSUBSCRIBE_ENDPOINT: 'https://public.example/unsubscribe?x=1', OPENCLAW_UNSUBSCRIBE_SIGNATURES: `${signature},${signature}` }, 'butler')).toThrow(/OPENCLAW_UNSUBSCRIBE_ENDPOINT: "https:\/\/public.example\/unsubscribe\?x=1" is not valid/);
    expect(() => readAgentEnv({ ...BASE, OPENCLAW_UNSUBSCRIBE_SIGNATURES: signature }, 'butler')).toThrow(/OPENCLAW_UNSUBSCRIBE_ENDPOINT: "" is not valid/);
  });

  it('refuses an OPENCLAW_AGENT that disagrees with the command line', () => {
    expect(() => readAgentEnv({ ...BASE, OPENCLAW_AGENT: 'scout' }, 'butler')).toThrow(/OPENCLAW_AGENT: scout does not match the agent argument butler/);
  });
});

describe('database credentials', () => {
  const aws = readAgentEnv({ ...BASE, OPENCLAW_PROVIDER: 'aws', OPENCLAW_TENANT_BUCKET: 'b', OPENCLAW_DB_CREDENTIALS: '', OPENCLAW_DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' }, 'butler');

  it('come from the environment with the local provider, without reading any secret', async () => {
    const reader = () => { throw new Error('must not read'); };
    expect(await resolveCredentials(BASE, readAgentEnv(BASE, 'butler'), reader)).toEqual({ username: 'u', password: 'p' });
  });

  it('come from the tenant db secret, by ARN, in AWS', async () => {
    const asked: string[] = [];
    const reader = () => async (id: string) => (asked.push(id), '{"username":"tenant_acme_runtime","password":"s3cret"}');
    expect(await resolveCredentials({}, aws, reader)).toEqual({ username: 'tenant_acme_runtime', password: 's3cret' });
    expect(asked).toEqual(['arn:aws:secretsmanager:eu-west-1:1:secret:x']);
  });

  it('are refused when malformed, without echoing the value', async () => {
    const reader = () => async () => 'password=hunter2';
    await expect(resolveCredentials({}, aws, reader)).rejects.toThrow('the tenant database credentials are not JSON {"username","password"}');
    await expect(resolveCredentials({}, aws, reader)).rejects.not.toThrow(/hunter2/);
  });
});

describe('agent objects', () => {
  it('are written under the tenant prefix of the local bucket folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oc-objects-'));
    const objects = localObjects('acme', dataDir, 'local-tenants');
    const key = await objects.put(`${agentObjectPrefix('acme', 'butler')}digests/a.md`, '# hi', 'text/markdown');
    expect(key).toBe('tenants/acme/agents/butler/digests/a.md');
    expect(readFileSync(join(dataDir, 's3', 'local-tenants', key), 'utf8')).toBe('# hi');
    expect(await objects.get(key)).toBe('# hi');
    expect(await objects.get(`${agentObjectPrefix('acme', 'butler')}digests/none.md`)).toBeUndefined();
  });

  it('are refused outside the tenant prefix, before anything is written or read', async () => {
    const touched: string[] = [];
    const objects = scopedObjects('acme', {
      put: async (key) => void touched.push(key),
      get: async (key) => void touched.push(key),
      location: (key) => `test:${key}`,
    });
    await expect(objects.put('tenants/globex/agents/butler/x.md', '', 'text/plain')).rejects.toThrow('refusing to write tenants/globex/agents/butler/x.md: outside the tenant prefix tenants/acme/');
    await expect(objects.put('tenants/acme/../globex/x.md', '', 'text/plain')).rejects.toThrow(/refusing/);
    await expect(objects.put('tenants/acme-evil/x.md', '', 'text/plain')).rejects.toThrow(/refusing/);
    await expect(objects.get('tenants/globex/agents/butler/deliveries/r.json')).rejects.toThrow('refusing to read tenants/globex/agents/butler/deliveries/r.json: outside the tenant prefix tenants/acme/');
    await expect(objects.get('tenants/acme/./../globex/x.md')).rejects.toThrow(/refusing/);
    expect(touched).toEqual([]);
  });
});

describe('the digest’s delivery ledger', () => {
  const key = deliveryLedgerKey('acme', 'butler', 'run-1');

  it('lies in the agent’s folder of the tenant’s prefix and reads back what was written', () => {
    expect(key).toBe('tenants/acme/agents/butler/deliveries/run-1.json');
    const deliveries = [{ to: 'a@acme.example', messageId: 'm-1', location: 'ses:m-1' }];
    expect(parseLedger(ledgerText('run-1', deliveries), key, 'run-1')).toEqual(deliveries);
  });

  it('is refused, naming its key, when it is not JSON, another run’s, or not a list of deliveries', () => {
    expect(() => parseLedger('{', key, 'run-1')).toThrow(DeliveryLedgerError);
    expect(() => parseLedger(ledgerText('run-2', []), key, 'run-1')).toThrow(`the delivery ledger ${key} is not the ledger of run run-1`);
    expect(() => parseLedger(JSON.stringify({ runId: 'run-1', deliveries: [{ to: 'a@acme.example' }] }), key, 'run-1')).toThrow('does not list deliveries');
    expect(() => parseLedger(JSON.stringify({ runId: 'run-1' }), key, 'run-1')).toThrow('does not list deliveries');
  });
});

describe('the exit status of a run refused by providers', () => {
  it('names every integration that refused, including those reported alongside the first failure', () => {
    const microsoft = new ConnectorError('REAUTHORIZATION_REQUIRED', 'microsoft', 'refused');
    const hubspot = new ConnectorError('PROVIDER_UNAVAILABLE', 'hubspot', 'down');
    const google = new ConnectorError('REAUTHORIZATION_REQUIRED', 'google', 'refused', {}, { others: [hubspot, microsoft] });
    expect(refusedAuthorizations(google)).toEqual(['google', 'microsoft']);
    expect(reauthorizationsOf(reauthorizationExit(refusedAuthorizations(google)))).toEqual(['google', 'microsoft']);
    expect(refusedAuthorizations(hubspot)).toEqual([]);
    expect(refusedAuthorizations(new Error('google: refused'))).toEqual([]);
  });

  it('is told apart from every other exit status', () => {
    for (const code of [...Object.values(AGENT_EXIT), 16, 24, 137, 255, null, undefined]) expect(reauthorizationsOf(code)).toEqual([]);
    expect(reauthorizationsOf(reauthorizationExit(['hubspot']))).toEqual(['hubspot']);
    expect(new Set(INTEGRATION_PROVIDERS.map((p) => reauthorizationExit([p])))).toEqual(new Set([17, 18, 20]));
  });
});
