import type { Logger } from 'pino';
import { connectWithFreshPassword } from '../../contract/db-credentials.js';
import { createLogger } from '../../contract/logger.js';
import type { AgentName } from '../../contract/catalog.js';
import type { AgentContext, AgentProgram, AgentResult } from './agent.js';
import { bedrockClient, bedrockSummariser } from './bedrock.js';
import { AGENT_EXIT, outboxFolder, reauthorizationExit } from '../../contract/agent-env.js';
import { ingest, refusedAuthorizations } from '../connectors/index.js';
import { resolveCredentials, secretsManagerReader, type SecretReader } from './credentials.js';
import { connectAsTenant } from './db.js';
import { AgentConfigError, readAgentEnv, type AgentEnv } from './env.js';
import { modelReadings, runMeter } from './meter.js';
import { offlineSummariser, withTokenAllowance, type Summariser } from './model.js';
import { objectsFor, type ObjectStore } from './objects.js';
import { outboxMailer, sesClient, sesMailer, type Mailer } from './mailer.js';
import { recordOutputs, recordUsage } from './record.js';
import { realSleep } from '../../contract/backoff.js';

/** Seams for tests; each defaults to the real thing chosen from the environment. */
export interface RunnerDeps {
  env?: Record<string, string | undefined>;
  secrets?: () => SecretReader;
  objects?: (env: AgentEnv) => ObjectStore;
  model?: (env: AgentEnv) => Summariser;
  mailer?: (env: AgentEnv) => Mailer;
  now?: () => Date;
  /** Waits between connection attempts after the tenant's password was refused, and before a connector's retry. */
  sleep?: (ms: number) => Promise<void>;
  /** The connectors' HTTP client. */
  fetch?: typeof fetch;
  log?: Logger;
}

export function modelFor(env: AgentEnv): Summariser {
  return env.modelId ? bedrockSummariser(env.modelId, bedrockClient(env.region, env.endpointUrl, env.awsCredentials)) : offlineSummariser();
}

/** SES with the task's credentials (aws), or the tenant's outbox folder (local). */
export function mailerFor(env: AgentEnv): Mailer {
  if (env.provider === 'local') return outboxMailer(outboxFolder(env.dataDir!, env.tenant));
  return sesMailer({ client: sesClient(env.region, env.endpointUrl), configurationSet: env.sesConfigurationSet });
}

/**
 * One agent run, start to end: environment → credentials → a session as the tenant's runtime role →
 * the program and its output and usage rows in one transaction. Returns the process exit status.
 */
export async function runAgent(programs: Record<AgentName, AgentProgram>, agentArg: string | undefined, deps: RunnerDeps = {}): Promise<number> {
  const raw = deps.env ?? process.env;
  const now = deps.now ?? (() => new Date());
  let env: AgentEnv;
  try {
    env = readAgentEnv(raw, agentArg);
  } catch (error) {
    (deps.log ?? createLogger()).error({ err: error }, 'agent not started');
    return AGENT_EXIT.misconfigured;
  }
  const log = (deps.log ?? createLogger({ level: env.logLevel, base: { service: 'openclaw-agent' } })).child({ tenant: env.tenant, agent: env.agent, runId: env.runId });
  const startedAt = now();
  const chosen = (deps.model ?? modelFor)(env);
  const model = env.tokenAllowance === undefined ? chosen : withTokenAllowance(chosen, env.tokenAllowance, (used) => {
    log.warn({ used, allowance: env.tokenAllowance }, 'the tenant\'s monthly model token budget is spent: no more model calls in this run');
  });
  const meter = runMeter();
  let db;
  let reader: SecretReader | undefined;
  const secrets = () => (reader ??= (deps.secrets ?? (() => secretsManagerReader(env)))());
  try {
    // `tenantctl rotate` writes the tenant's secret, then a pass sets the role's password: a run starting in
    // between is refused (28P01) and reads the secret again until the two agree.
    db = await connectWithFreshPassword(async () => connectAsTenant(env, await resolveCredentials(raw, env, secrets)), {
      refused: () => log.warn({}, "the tenant's database password was refused; reading its secret again"),
    }, { sleep: deps.sleep });
  } catch (error) {
    log.error({ err: error }, 'could not connect as the tenant');
    return error instanceof AgentConfigError ? AGENT_EXIT.misconfigured : AGENT_EXIT.failed;
  }
  const ctx: AgentContext = {
    tenant: env.tenant, displayName: env.displayName ?? env.tenant, agent: env.agent, runId: env.runId, isolation: env.isolation, db, model, meter, now,
    mail: env.emailFrom ? { mailer: (deps.mailer ?? mailerFor)(env), from: env.emailFrom, recipients: env.recipients, unsubscribeUrls: env.unsubscribeUrls } : undefined,
    objects: (deps.objects ?? objectsFor)(env),
    log: (message, fields) => log.info(fields ?? {}, message),
  };
  const usage = (itemsProcessed: number) => ({
    tenant: env.tenant, agent: env.agent, runId: env.runId, startedAt, itemsProcessed,
    durationMs: now().getTime() - startedAt.getTime(), ...model.usage(),
  });
  try {
    // The customer's accounts first, each page committed with its cursor; then the program in one transaction.
    await ingest({
      tenant: env.tenant, agent: env.agent, db, env: raw, readSecret: (id) => secrets()(id), fetch: deps.fetch,
      now: () => now().getTime(), sleep: deps.sleep ?? realSleep,
      itemsIngested: (integration, count) => meter.itemsIngested(integration, count), log: ctx.log,
    });
    await db.query('BEGIN');
    const result: AgentResult = await programs[env.agent](ctx);
    await recordOutputs(db, env.tenant, env.agent, env.runId, result.outputs);
    await recordUsage(db, usage(result.itemsProcessed), [...meter.readings(), ...modelReadings(model.usage())]);
    await db.query('COMMIT');
    log.info({ items: result.itemsProcessed, outputs: result.outputs.map((o) => o.key), ...model.usage() }, 'agent run succeeded');
    return AGENT_EXIT.ok;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    log.error({ err: error }, 'agent run failed');
    // Tokens spent and items ingested (committed page by page) on a failed run are still charged back.
    await recordUsage(db, usage(0), [...meter.readings(), ...modelReadings(model.usage())]).catch((e) => log.warn({ err: e }, 'could not record usage'));
    // A refused authorization is told apart in the exit status: the scheduler marks those integrations for reconnection.
    const refused = refusedAuthorizations(error);
    if (refused.length > 0) return reauthorizationExit(refused);
    return error instanceof AgentConfigError ? AGENT_EXIT.misconfigured : AGENT_EXIT.failed;
  } finally {
    await db.end().catch(() => {});
  }
}
