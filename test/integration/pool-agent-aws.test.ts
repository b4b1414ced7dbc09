/**
 * A pooled agent run end to end on AWS: the controller converges a mixed fleet (one silo tenant, two
 * pooled) on the AWS double served over HTTP and a real PostgreSQL; `tenantctl pool-worker`, a process
 * of its own with the worker role's keys, claims the run the scheduler queued, vends the tenant's
 * credentials (sts:AssumeRole, session tag `tenant`) and starts the real agent (agents/run.ts), which
 * reads its tenant's one secret, writes its digest to its prefix, emails it through SES and writes its
 * rows through its bound session.
 * A second run, its environment steered at the other pooled tenant's secret, asks for it itself and is
 * refused. Then, with exactly the credentials the first run was given, the other pooled tenant's prefix
 * and secret are refused as AWS refuses them, and the pool's session reaches no other tenant's rows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeIntegrationSecret, type ConnectedIntegration } from '../../contract/integration-secret.js';
import { AGENT_ENV, AGENT_EXIT } from '../../contract/agent-env.js';
import { names } from '../../contract/names.js';
import { pooledTenantPolicy, pooledTrustPolicy } from '../../controller/desired/policy.js';
import { poolLoginCredentials, poolWorkerPart } from '../../controller/pool/part.js';
import { issuePoolGrant, releasePoolRun } from '../../controller/pool/session.js';
import { PoolQueue } from '../../controller/pool/queue.js';
import { pooledLauncher } from '../../controller/pool/launcher.js';
import { createSchedulerService } from '../../controller/scheduler/service.js';
import { triggerRun } from '../../controller/scheduler/trigger.js';
import type { StsSession } from '../aws-double/sts.js';
import { createAwsDouble, type AwsCall, type AwsDouble } from '../aws-double/index.js';
import { startAwsDoubleServer, type AwsDoubleServer } from '../aws-double/http/index.js';
import { createWorld, starterYaml, type World } from '../helpers/world.js';
import type { DbCredentials } from '../../contract/db-credentials.js';
import type { RunHistory } from '../../controller/scheduler/history.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const BUCKET = 'openclaw-pool-agents';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/openclaw-tenant-boundary`;
const WORKER_ARN = `arn:aws:iam::${ACCOUNT}:role/openclaw/openclaw-pool-worker`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/openclaw/openclaw-tenant-access`;
/** The controller's and the worker task's own keys: two principals the double tells apart by their access key. */
const CONTROLLER_KEYS = { AWS_ACCESS_KEY_ID: 'AKIDCONTROLLER00001', AWS_SECRET_ACCESS_KEY: 'controller-secret' };
const WORKER_KEYS = { AWS_ACCESS_KEY_ID: 'AKIDPOOLWORKER00001', AWS_SECRET_ACCESS_KEY: 'worker-secret' };
/** butler's integrations configured as real clients: the runs get their API URLs; umbrella has connected neither, so neither is called. */
const INTEGRATIONS = Object.fromEntries(['GOOGLE', 'MICROSOFT'].flatMap((p) => [
  [`OPENCLAW_${p}_CLIENT_ID`, 'openclaw-test-client'], [`OPENCLAW_${p}_CLIENT_SECRET`, 'integration-client-secret'], [`OPENCLAW_${p}_API_URL`, `http://127.0.0.1:9/${p.toLowerCase()}`],
]));
/** What the other pooled tenant keeps in its one secret: a customer's token. */
const VANDELAY_TOKEN = 'vandelay-microsoft-access-token';
const VANDELAY_MICROSOFT: ConnectedIntegration = {
  provider: 'microsoft', accessToken: VANDELAY_TOKEN, refreshToken: 'vandelay-refresh', expiresAt: '2026-12-03T10:00:00.000Z', scopes: ['Mail.Read'],
  account: 'it@vandelay.example', connectedAt: '2026-12-01T00:00:00.000Z', lastRefreshAt: null, version: 2,
};

type QueuedEntry = Parameters<PoolQueue['enqueue']>[0]['entry'];

const pooledYaml = (name: string, tier: string) =>
  starterYaml(name, '  agents:\n    - name: butler\n      schedule: "0 7 * * *"\n  integrations:\n    - provider: google\n    - provider: microsoft\n').replace('tier: starter', `tier: ${tier}`);

/** The worker service's task: `tenantctl pool-worker` with its own keys and database login, until it has ended `runs` runs. */
async function poolWorkerUntilRunsEnd(env: Record<string, string>, runs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/tenantctl.js'), 'pool-worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    const scan = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      // The worker's own record of each run's end (or of a run it could not start): then it is stopped as ECS stops a task.
      if ((output.match(/"msg":"pooled run (ended|could not start)"/g) ?? []).length >= runs) resolve();
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', scan);
    void exited.then(() => resolve());
  });
  child.kill('SIGTERM');
  return { code: await exited, output };
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(() => undefined, (error: { name: string; message: string; $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string } }) => ({
    name: error.name, message: error.message, fault: error.$fault, status: error.$metadata?.httpStatusCode, requestId: error.$metadata?.requestId,
  }));
const pgErrorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }));

describe('a pooled agent run on AWS, started by the pooled worker service, against the AWS double over HTTP', () => {
  const saved = Object.fromEntries(Object.keys(CONTROLLER_KEYS).map((k) => [k, process.env[k]]));
  let double: AwsDouble;
  let server: AwsDoubleServer;
  let world: World;
  let admin: pg.Client;
  let workerDataDir: string;
  let runId: string;
  let steeredRunId: string;
  let worker: { code: number | null; output: string };
  /** The session the run was vended, as STS holds it: its keys are exactly the ones the run was given. */
  let session: StsSession;
  let awsEnv: Record<string, string>;

  const asRun = () => {
    const config = { region: REGION, endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken } };
    return { s3: new S3Client({ ...config, forcePathStyle: true }), secrets: new SecretsManagerClient(config), ses: new SESv2Client(config) };
  };
  const loginAs = async (username: string, password: string) => {
    const url = new URL(world.db.url);
    url.username = username;
    url.password = encodeURIComponent(password);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    // The SDK clients the controller builds from configuration take their keys from the environment.
    Object.assign(process.env, CONTROLLER_KEYS);
    double = createAwsDouble({ accountId: ACCOUNT, region: REGION });
    double.state.s3.createBucket(BUCKET, { versioning: 'Enabled' });
    double.state.iam.boundaryPolicies = new Set([BOUNDARY]);
    double.state.ecs.createCluster('openclaw');
    double.state.ses.verifyIdentity('mail.example.com');
    double.state.ses.createConfigurationSet('digests');
    server = await startAwsDoubleServer(double);
    awsEnv = {
      OPENCLAW_PROVIDER: 'aws', AWS_REGION: REGION, AWS_ENDPOINT_URL: server.url, OPENCLAW_S3_FORCE_PATH_STYLE: 'true',
      OPENCLAW_TENANT_BUCKET: BUCKET, OPENCLAW_PERMISSIONS_BOUNDARY_ARN: BOUNDARY, ...INTEGRATIONS,
      OPENCLAW_SES_FROM_ADDRESS: 'digest@mail.example.com', OPENCLAW_SES_CONFIGURATION_SET: 'digests',
    };
    world = await createWorld({ extraEnv: { ...awsEnv, OPENCLAW_ECS_CLUSTER: 'openclaw', OPENCLAW_SUBNETS: 'subnet-0123abcd', OPENCLAW_SECURITY_GROUPS: 'sg-0123abcd' } });
    for (const file of ['globex.yaml', 'initech.yaml']) world.removeTenant(file);
    world.writeTenant('umbrella.yaml', pooledYaml('umbrella', 'starter'));
    world.writeTenant('vandelay.yaml', pooledYaml('vandelay', 'professional'));
    // What Terraform makes (modules/security/pool.tf): the shared tenant-access role, which only the worker role may assume.
    const iam = new IAMClient({ region: REGION, endpoint: server.url, credentials: { accessKeyId: CONTROLLER_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: 'x' } });
    await iam.send(new CreateRoleCommand({ RoleName: 'openclaw-tenant-access', Path: '/openclaw/', AssumeRolePolicyDocument: JSON.stringify(pooledTrustPolicy(WORKER_ARN)) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'openclaw-tenant-access', PolicyName: 'openclaw-tenant-access', PolicyDocument: JSON.stringify(pooledTenantPolicy(world.ctx.desiredContext)) }));
    double.state.sts.principals.set(WORKER_KEYS.AWS_ACCESS_KEY_ID, { arn: WORKER_ARN });
    // What onboarding wrote when each pooled tenant connected an integration: its one secret.
    const secrets = new SecretsManagerClient({ region: REGION, endpoint: server.url, credentials: { accessKeyId: CONTROLLER_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: 'x' } });
    await secrets.send(new CreateSecretCommand({ Name: names.pooledSecret('openclaw', 'umbrella'), SecretString: serializeIntegrationSecret({ tenant: 'umbrella', version: 1, integrations: {} }) }));
    await secrets.send(new CreateSecretCommand({ Name: names.pooledSecret('openclaw', 'vandelay'), SecretString: serializeIntegrationSecret({ tenant: 'vandelay', version: 2, integrations: { microsoft: VANDELAY_MICROSOFT } }) }));
    admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
    workerDataDir = mkdtempSync(join(tmpdir(), 'openclaw-pool-worker-'));
  }, 120_000);

  afterAll(async () => {
    await admin?.end();
    await world?.close();
    await server?.close();
    if (workerDataDir) rmSync(workerDataDir, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  });

  it('converges one silo and two pooled tenants over HTTP: a role for the silo one only, then a pass without a write', async () => {
    const first = await converged();
    expect(first.outcomes.filter((o) => o.error)).toEqual([]);
    expect([...double.state.iam.roles.values()].map((r) => r.RoleName).sort()).toEqual(['openclaw-tenant-access', 'openclaw-tenant-acme']);
    expect((await admin.query(`SELECT name, desired->>'isolation' AS isolation FROM openclaw.tenants ORDER BY name`)).rows).toEqual([
      { name: 'acme', isolation: 'silo' }, { name: 'umbrella', isolation: 'pool' }, { name: 'vandelay', isolation: 'pool' },
    ]);
    expect(await admin.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1`).then((r) => r.rows)).toEqual([{ nspname: 'tenant_acme' }]);
    const writes = double.writeCalls().length;
    expect((await world.pass()).changesApplied).toBe(0);
    expect(double.writeCalls().slice(writes)).toEqual([]);
    expect(server.requests.length).toBeGreaterThan(0);
  }, 120_000);

  /**
   * The converged fleet, made once by whichever test needs it first, so the tests hold in any order;
   * then umbrella's butler run and a run steered at vandelay's secret, run by the worker service.
   */
  const sessionArn = (id: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/openclaw-tenant-access/run-${id}`;
  let converging: ReturnType<World['pass']> | undefined;
  const converged = () => (converging ??= world.pass());
  let running: Promise<{ workerLogin: DbCredentials; vandelaySecret: string; history: RunHistory; calls: AwsCall[] }> | undefined;
  const ran = () => (running ??= (async () => {
    await converged();
    // The controller makes the pool's two logins; the worker task gets its own in DATABASE_URL.
    await (await poolWorkerPart.start(world.ctx)).stop();
    const workerLogin = await poolLoginCredentials(world.ctx.provider.secrets, 'openclaw', 'worker');
    const databaseUrl = new URL(world.db.url);
    databaseUrl.username = workerLogin.username;
    databaseUrl.password = encodeURIComponent(workerLogin.password);
    await admin.query(`INSERT INTO app.messages (tenant_id, sender, subject, received_at) VALUES
      ('umbrella', 'a@umbrella.example', 'Umbrella renewal', now() - interval '1 hour'),
      ('umbrella', 'b@umbrella.example', 'Umbrella pilot', now() - interval '2 hours'),
      ('vandelay', 'c@vandelay.example', 'Vandelay latex imports', now() - interval '1 hour')`);

    const triggered = await triggerRun(world.ctx, 'umbrella', 'butler');
    if (!triggered.ok) throw new Error(triggered.message);
    runId = triggered.run.id;
    expect(triggered.run).toMatchObject({ status: 'running', taskArn: `pool:${runId}` });

    // A second run of umbrella whose environment points it at vandelay's secret (a bug, or an agent that
    // misbehaves): the real agent asks for that secret itself, with the credentials vended for umbrella.
    steeredRunId = `${runId}-steered`;
    const vandelaySecret = double.state.secrets.find(names.pooledSecret('openclaw', 'vandelay'))!.ARN;
    const [queued] = (await admin.query<{ entry: QueuedEntry; env: Record<string, string> }>(`SELECT entry, env FROM openclaw.pool_queue WHERE run_id = $1`, [runId])).rows;
    expect(queued.env[AGENT_ENV.pooledSecretArn]).toBe(double.state.secrets.find(names.pooledSecret('openclaw', 'umbrella'))!.ARN);
    await pooledLauncher(new PoolQueue(world.ctx.pool)).launch({
      runId: steeredRunId, entry: queued.entry, env: { ...queued.env, [AGENT_ENV.runId]: steeredRunId, [AGENT_ENV.pooledSecretArn]: vandelaySecret },
    });

    worker = await poolWorkerUntilRunsEnd({
      PATH: process.env.PATH ?? '', HOME: workerDataDir, ...awsEnv, ...WORKER_KEYS,
      OPENCLAW_TENANT_ACCESS_ROLE_ARN: ROLE_ARN, OPENCLAW_POOL_WORKERS: '2', DATABASE_URL: databaseUrl.toString(),
      OPENCLAW_DATA_DIR: workerDataDir, OPENCLAW_LOG_LEVEL: 'info',
    }, 2);
    // The scheduler records how the run ended, as its poller does on the leader.
    const service = createSchedulerService(world.ctx);
    if ('problem' in service) throw new Error(service.problem);
    await service.poller.poll();
    await service.launcher.close();
    const sessions = [...double.state.sts.sessions.values()];
    session = sessions.find((s) => s.arn === sessionArn(runId))!;
    // The calls made up to here: the other tests' calls, whenever they run, are not the runs'.
    return { workerLogin, vandelaySecret, history: service.history, calls: [...double.calls] };
  })());

  it("runs butler for a pooled tenant on a worker: its secret read, its digest in its prefix and sent, its rows through its bound session, the run recorded with its usage; a run steered at another tenant's secret is refused it", async () => {
    const { workerLogin, vandelaySecret, history, calls: runCalls } = await ran();
    expect(worker.code, worker.output).toBe(0);
    expect(await history.get(runId), worker.output).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect((await admin.query(`SELECT exit_code, claimed_by IS NOT NULL AS claimed FROM openclaw.pool_queue WHERE run_id = $1`, [runId])).rows).toEqual([{ exit_code: 0, claimed: true }]);

    // A session for each run, vended to the worker role with the tenant's tag alone.
    const sessions = [...double.state.sts.sessions.values()];
    expect(sessions.map((s) => ({ role: s.roleArn, arn: s.arn, tags: s.tags, transitive: s.transitiveKeys })).sort((a, b) => a.arn.localeCompare(b.arn))).toEqual([runId, steeredRunId].map((id) => ({
      role: ROLE_ARN, arn: sessionArn(id), tags: { tenant: 'umbrella' }, transitive: [],
    })));
    // What the run itself did in AWS, with that session's key and no other: read its secret (once for each
    // of butler's integrations), wrote its digest, emailed it and kept its delivery ledger in its prefix.
    const [{ object_key: key }] = (await admin.query<{ object_key: string }>(`SELECT object_key FROM app.digests WHERE run_id = $1`, [runId])).rows;
    expect(key).toMatch(new RegExp(`^tenants/umbrella/agents/butler/digests/\\d{4}-\\d{2}-\\d{2}-${runId}\\.md$`));
    const secretArn = double.state.secrets.find(names.pooledSecret('openclaw', 'umbrella'))!.ARN;
    const ledger = `tenants/umbrella/agents/butler/deliveries/${runId}.json`;
    const calls = runCalls.filter((c) => c.caller === session.accessKeyId);
    expect(calls.map((c) => ({ call: `${c.service}:${c.operation}`, error: c.error }))).toEqual([
      { call: 'secretsmanager:GetSecretValue', error: undefined }, { call: 'secretsmanager:GetSecretValue', error: undefined }, { call: 's3:PutObject', error: undefined },
      { call: 's3:GetObject', error: 'NoSuchKey' }, { call: 'sesv2:SendEmail', error: undefined }, { call: 's3:PutObject', error: undefined },
    ]);
    expect(calls.map((c) => c.input)).toMatchObject([
      { SecretId: secretArn }, { SecretId: secretArn }, { Bucket: BUCKET, Key: key }, { Bucket: BUCKET, Key: ledger }, { FromEmailAddress: 'digest@mail.example.com' }, { Bucket: BUCKET, Key: ledger },
    ]);
    const digest = double.state.s3.bucket(BUCKET).objects.get(key);
    expect(digest, [...double.state.s3.bucket(BUCKET).objects.keys()].join('\n')).toBeDefined();
    const body = digest!.body.toString('utf8');
    expect(body).toContain('Umbrella renewal');
    expect(body).not.toContain('Vandelay');
    // The email went out through SES as the configured sender, allowed by ses:SendEmail with ses:FromAddress.
    expect(double.state.ses.sent.map((m) => ({ from: m.from, to: m.to, configurationSet: m.configurationSet, tenant: m.tags.tenant }))).toEqual([
      { from: 'digest@mail.example.com', to: ['ops@umbrella.example'], configurationSet: 'digests', tenant: 'umbrella' },
    ]);
    expect(double.state.ses.sent[0].text).toContain('Umbrella renewal');
    expect(double.state.ses.sent[0].text).not.toContain('Vandelay');
    // The worker's own key served the pool's login and the vend only.
    expect(new Set(runCalls.filter((c) => c.caller === WORKER_KEYS.AWS_ACCESS_KEY_ID).map((c) => `${c.service}:${c.operation}`))).toEqual(new Set(['secretsmanager:GetSecretValue', 'sts:AssumeRole']));

    // Its rows, written through the session bound to umbrella: the digest of umbrella's two messages, its output, its usage.
    expect((await admin.query(`SELECT tenant_id, item_count, object_key, recipients, message_id FROM app.digests WHERE run_id = $1`, [runId])).rows).toEqual([
      { tenant_id: 'umbrella', item_count: 2, object_key: key, recipients: ['ops@umbrella.example'], message_id: double.state.ses.sent[0].messageId },
    ]);
    expect((await admin.query(`SELECT tenant_id, kind, object_key FROM app.agent_outputs WHERE run_id = $1`, [runId])).rows).toEqual([{ tenant_id: 'umbrella', kind: 'digest', object_key: key }]);
    expect((await admin.query(`SELECT tenant_id, agent, items_processed FROM app.usage WHERE run_id = $1`, [runId])).rows).toEqual([{ tenant_id: 'umbrella', agent: 'butler', items_processed: 2 }]);
    // The ledger: the run's time as the queue measured it, and the model tokens the agent recorded (read as the pool, bound to umbrella).
    const recorded = (await admin.query<{ meter: string; dimension: string; quantity: string }>(`SELECT meter, dimension, quantity::text AS quantity FROM app.usage_meters WHERE run_id = $1 ORDER BY meter`, [runId])).rows;
    expect(recorded.map((r) => r.meter)).toEqual(['emails_sent', 'model_input_tokens', 'model_output_tokens']);
    expect((await admin.query(`SELECT tenant, meter, dimension, quantity::text AS quantity FROM openclaw.usage_records WHERE run_id = $1 AND meter <> 'run_seconds' ORDER BY meter`, [runId])).rows)
      .toEqual(recorded.map((r) => ({ tenant: 'umbrella', ...r })));
    expect((await admin.query(`SELECT dimension FROM openclaw.usage_records WHERE run_id = $1 AND meter = 'run_seconds'`, [runId])).rows).toEqual([{ dimension: 'butler' }]);
    expect((await admin.query(`SELECT count(*)::int AS n FROM app_private.pool_sessions WHERE tenant = 'umbrella'`)).rows).toEqual([{ n: 0 }]);
    // The run's grant is spent and its session unbound.
    expect((await admin.query(`SELECT (SELECT count(*) FROM app_private.pool_grants WHERE run_id = $1)::int AS grants, (SELECT count(*) FROM app_private.pool_sessions WHERE run_id = $1)::int AS sessions`, [runId])).rows).toEqual([{ grants: 0, sessions: 0 }]);
    // The steered run was refused vandelay's secret by AWS, for each of butler's integrations, and failed without writing anything.
    const steered = sessions.find((s) => s.arn === sessionArn(steeredRunId))!;
    expect(runCalls.filter((c) => c.caller === steered.accessKeyId).map((c) => ({ call: `${c.service}:${c.operation}`, input: c.input, error: c.error }))).toEqual([
      { call: 'secretsmanager:GetSecretValue', input: { SecretId: vandelaySecret }, error: 'AccessDeniedException' },
      { call: 'secretsmanager:GetSecretValue', input: { SecretId: vandelaySecret }, error: 'AccessDeniedException' },
    ]);
    expect((await admin.query(`SELECT exit_code FROM openclaw.pool_queue WHERE run_id = $1`, [steeredRunId])).rows).toEqual([{ exit_code: AGENT_EXIT.failed }]);
    expect((await admin.query(`SELECT count(*)::int AS n FROM app.agent_outputs WHERE run_id = $1`, [steeredRunId])).rows).toEqual([{ n: 0 }]);
    expect(worker.output).toContain('is not authorized to perform: secretsmanager:GetSecretValue');
    expect(worker.output).not.toContain(VANDELAY_TOKEN);
    // Nothing of the worker's reached the run's log lines: not its keys, not its database password.
    expect(worker.output).not.toContain(WORKER_KEYS.AWS_SECRET_ACCESS_KEY);
    expect(worker.output).not.toContain(workerLogin.password);
  }, 120_000);

  it("refuses the run's own credentials the other pooled tenant's prefix and secret, and the silo tenant's, as AWS does", async () => {
    await ran();
    const run = asRun();
    const from = double.calls.length;
    const denied = (action: string, resource: string) => `User: ${session.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
    // They are live: the run's own digest reads back.
    const [own] = await admin.query<{ object_key: string }>(`SELECT object_key FROM app.digests WHERE run_id = $1`, [runId]).then((r) => r.rows);
    expect(await (await run.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: own.object_key }))).Body?.transformToString()).toContain('Umbrella');

    const planted = `tenants/vandelay/agents/butler/digests/planted-${runId}.md`;
    expect(await errorOf(run.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: planted, Body: 'not yours' })))).toEqual({
      name: 'AccessDenied', message: denied('s3:PutObject', `arn:aws:s3:::${BUCKET}/${planted}`), fault: 'client', status: 403, requestId: expect.any(String),
    });
    // An object the other tenant's prefix holds (the controller's marker of it) is not readable either.
    const marker = names.s3Marker('vandelay');
    expect(double.state.s3.bucket(BUCKET).objects.has(marker)).toBe(true);
    expect(await errorOf(run.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: marker })))).toMatchObject({ name: 'AccessDenied', status: 403, message: denied('s3:GetObject', `arn:aws:s3:::${BUCKET}/${marker}`) });
    // On the wire, as S3 and Secrets Manager write them: an XML <Error> with 403, a JSON body typed by x-amzn-errortype with 400.
    const signed = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=${session.accessKeyId}/20261203/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=00` });
    const s3Answer = await fetch(`${server.url}/${BUCKET}/${planted}?x-id=PutObject`, { method: 'PUT', body: 'not yours', headers: signed('s3') });
    expect(s3Answer.status).toBe(403);
    expect(await s3Answer.text()).toMatch(new RegExp(`^<\\?xml[^>]*\\?>\\s*<Error><Code>AccessDenied</Code><Message>User: [^<]+ is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::${BUCKET}/[^<]+</Message>.*<RequestId>[^<]+</RequestId></Error>$`));
    const secretsAnswer = await fetch(server.url, {
      method: 'POST', body: JSON.stringify({ SecretId: names.pooledSecret('openclaw', 'vandelay') }),
      headers: { ...signed('secretsmanager'), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    });
    expect({ status: secretsAnswer.status, type: secretsAnswer.headers.get('x-amzn-errortype') }).toEqual({ status: 400, type: 'AccessDeniedException' });
    expect(await secretsAnswer.json()).toEqual({ __type: 'AccessDeniedException', message: expect.stringMatching(/is not authorized to perform: secretsmanager:GetSecretValue on resource: /) });
    expect(await errorOf(run.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tenants/vandelay/' })))).toMatchObject({ name: 'AccessDenied', status: 403, message: denied('s3:ListBucket', `arn:aws:s3:::${BUCKET}`) });
    const vandelaySecret = double.state.secrets.find(names.pooledSecret('openclaw', 'vandelay'))!.ARN;
    expect(await errorOf(run.secrets.send(new GetSecretValueCommand({ SecretId: names.pooledSecret('openclaw', 'vandelay') })))).toEqual({
      name: 'AccessDeniedException', message: denied('secretsmanager:GetSecretValue', vandelaySecret), fault: 'client', status: 400, requestId: expect.any(String),
    });
    const acmeDb = double.state.secrets.find(names.dbSecret('openclaw', 'acme'))!.ARN;
    expect(await errorOf(run.secrets.send(new GetSecretValueCommand({ SecretId: acmeDb })))).toMatchObject({ name: 'AccessDeniedException', status: 400, message: denied('secretsmanager:GetSecretValue', acmeDb) });
    // Even its own prefix's marker, the controller's claim on it, is not the run's to write.
    expect(await errorOf(run.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: names.s3Marker('umbrella'), Body: '{}' })))).toMatchObject({ name: 'AccessDenied', status: 403, message: expect.stringContaining('with an explicit deny') });

    // Nor may it email as anyone but the configured sender (ses:FromAddress), though SES would accept that address.
    const sent = double.state.ses.sent.length;
    expect(await errorOf(run.ses.send(new SendEmailCommand({
      FromEmailAddress: 'billing@mail.example.com', Destination: { ToAddresses: ['ap@vandelay.example'] }, ConfigurationSetName: 'digests',
      Content: { Raw: { Data: Buffer.from('From: billing@mail.example.com\r\nTo: ap@vandelay.example\r\nSubject: Invoice\r\n\r\nPay.\r\n') } },
    })))).toMatchObject({ name: 'AccessDeniedException', status: 400, message: denied('ses:SendEmail', `arn:aws:ses:${REGION}:${ACCOUNT}:identity/mail.example.com`) });
    expect(double.state.ses.sent.length).toBe(sent);

    expect(double.state.s3.bucket(BUCKET).objects.has(planted)).toBe(false);
    const refused = double.calls.slice(from).filter((c) => c.caller === session.accessKeyId && c.error);
    expect(refused.map((c) => `${c.service}:${c.operation}:${c.error}`)).toEqual([
      's3:PutObject:AccessDenied', 's3:GetObject:AccessDenied', 's3:PutObject:AccessDenied', 'secretsmanager:GetSecretValue:AccessDeniedException',
      's3:ListObjectsV2:AccessDenied', 'secretsmanager:GetSecretValue:AccessDeniedException',
      'secretsmanager:GetSecretValue:AccessDeniedException', 's3:PutObject:AccessDenied', 'sesv2:SendEmail:AccessDeniedException',
    ]);
    expect(JSON.stringify(server.requests)).not.toContain(VANDELAY_TOKEN);
  }, 120_000);

  it("gives the pool's login, which the run was given, no tenant's rows unbound, and a session bound to the run's tenant that cannot change it", async () => {
    await ran();
    const login = await poolLoginCredentials(world.ctx.provider.secrets, 'openclaw', 'pool');
    const unbound = await loginAs(login.username, login.password);
    expect((await unbound.query(`SELECT tenant_id FROM app.messages`)).rows).toEqual([]);
    expect((await unbound.query(`SELECT tenant_id FROM app.digests`)).rows).toEqual([]);
    expect(await pgErrorOf(unbound.query(`INSERT INTO app.messages (tenant_id, sender, subject) VALUES ('vandelay', 'x', 'planted')`))).toMatchObject({ code: '42501' });
    await unbound.end();

    // A second run of umbrella, claimed and granted by the worker's own login as the service does.
    const workerLogin = await poolLoginCredentials(world.ctx.provider.secrets, 'openclaw', 'worker');
    const workerDb = await loginAs(workerLogin.username, workerLogin.password);
    const queued = (await admin.query<{ entry: QueuedEntry }>(`SELECT entry FROM openclaw.pool_queue WHERE run_id = $1`, [runId])).rows[0].entry;
    await pooledLauncher(new PoolQueue(world.ctx.pool)).launch({ runId: `${runId}-again`, entry: queued, env: {} });
    const queue = new PoolQueue(workerDb);
    expect(await queue.claim('test-worker', 60_000)).toMatchObject({ runId: `${runId}-again`, tenant: 'umbrella' });
    const grant = await issuePoolGrant(workerDb, 'umbrella', `${runId}-again`);
    const bound = await loginAs(login.username, login.password);
    expect((await bound.query(`SELECT app.bind_pool_session($1) AS tenant`, [grant])).rows).toEqual([{ tenant: 'umbrella' }]);
    await bound.query(`SELECT set_config('app.tenant_id', 'vandelay', false)`);
    expect((await bound.query(`SELECT tenant_id, subject FROM app.messages ORDER BY subject`)).rows).toEqual([
      { tenant_id: 'umbrella', subject: 'Umbrella pilot' }, { tenant_id: 'umbrella', subject: 'Umbrella renewal' },
    ]);
    expect((await bound.query(`SELECT tenant_id, run_id FROM app.digests`)).rows).toEqual([{ tenant_id: 'umbrella', run_id: runId }]);
    expect(await pgErrorOf(bound.query(`SELECT app.bind_pool_session($1)`, [grant]))).toMatchObject({ code: '42501', message: 'this session is already bound to a tenant' });
    expect(await pgErrorOf(bound.query(`INSERT INTO app.digests (tenant_id, run_id, for_date, item_count, object_key) VALUES ('vandelay', 'planted', now(), 0, 'x')`))).toMatchObject({ code: '42501' });
    await releasePoolRun(workerDb, `${runId}-again`);
    expect((await bound.query(`SELECT tenant_id FROM app.messages`)).rows).toEqual([]);
    expect(await queue.finish(`${runId}-again`, 0, null, 'test-worker')).toBe(true);
    await Promise.all([bound.end(), workerDb.end()]);
    expect(Number((await admin.query(`SELECT count(*) AS n FROM app.messages WHERE tenant_id = 'vandelay'`)).rows[0].n)).toBe(1);
  }, 120_000);
});
