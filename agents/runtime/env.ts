import { AGENT_NAMES, ISOLATIONS, PROVIDER_NAMES, isAgentName, isIsolation, isProviderName, type AgentName, type Isolation, type ProviderName } from '../../contract/catalog.js';
import { TENANT_NAME_PATTERN } from '../../contract/names.js';
import { AGENT_ENV } from '../../contract/agent-env.js';
import { UNSUBSCRIBE_SIGNATURE, unsubscribeLink } from '../../contract/unsubscribe.js';

/** What one agent run reads from its environment. Credentials are resolved separately and never logged. */
export interface AgentEnv {
  tenant: string;
  agent: AgentName;
  runId: string;
  provider: ProviderName;
  bucket: string;
  /** Local provider: objects go to `<dataDir>/s3/<bucket>/<key>`. */
  dataDir?: string;
  region?: string;
  endpointUrl?: string;
  /** Optional: host, port and database (any user or password in it is replaced by the tenant's). Else PGHOST/PGPORT/PGDATABASE. */
  databaseUrl?: string;
  dbSecretArn?: string;
  modelId?: string;
  /** Model tokens this run may use before it stops calling the model; unset: no limit. */
  tokenAllowance?: number;
  logLevel: string;
  displayName?: string;
  /** Unset: the run sends no email (aws without OPENCLAW_SES_FROM_ADDRESS). */
  emailFrom?: string;
  sesConfigurationSet?: string;
  recipients: string[];
  /** Each recipient's one-click unsubscribe link (RFC 8058), when the controller gave them. */
  unsubscribeUrls: Record<string, string>;
  isolation: Isolation;
  /** Pooled runs: the token that binds the database session to the tenant. */
  poolGrant?: string;
  /** Pooled runs: the tenant-scoped credentials the worker obtained for this run (never the worker's own). */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const EMAIL = /^[^\s@,<>]{1,64}@[A-Za-z0-9.-]{1,253}$/;

export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

/** Reads and checks the environment; every problem on its own line, in one error. */
export function readAgentEnv(env: Record<string, string | undefined>, agentArg: string | undefined): AgentEnv {
  const problems: string[] = [];
  const get = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const agentText = agentArg ?? get(AGENT_ENV.agent) ?? '';
  const agent = isAgentName(agentText) ? agentText : undefined;
  if (!agent) problems.push(`agent: ${JSON.stringify(agentText)} is not an agent (allowed: ${AGENT_NAMES.join(', ')})`);
  if (agentArg && get(AGENT_ENV.agent) && get(AGENT_ENV.agent) !== agentArg) problems.push(`${AGENT_ENV.agent}: ${get(AGENT_ENV.agent)} does not match the agent argument ${agentArg}`);
  const tenant = get(AGENT_ENV.tenant);
  if (!tenant || !TENANT_NAME_PATTERN.test(tenant)) problems.push(`${AGENT_ENV.tenant}: required, a tenant name`);
  const runId = get(AGENT_ENV.runId);
  if (!runId || !/^[\w-]{1,64}$/.test(runId)) problems.push(`${AGENT_ENV.runId}: required, 1-64 letters, digits, "_" and "-"`);
  const providerText = get(AGENT_ENV.provider) ?? 'aws';
  const provider = isProviderName(providerText) ? providerText : undefined;
  if (!provider) problems.push(`${AGENT_ENV.provider}: ${JSON.stringify(providerText)} is not valid (allowed: ${PROVIDER_NAMES.join(', ')})`);
  const bucket = get(AGENT_ENV.bucket) ?? (provider === 'local' ? 'local-tenants' : undefined);
  if (!bucket) problems.push(`${AGENT_ENV.bucket}: required with the aws provider`);
  const dataDir = get(AGENT_ENV.dataDir);
  if (provider === 'local' && !dataDir) problems.push(`${AGENT_ENV.dataDir}: required with the local provider`);
  if (!get(AGENT_ENV.dbCredentials) && !get(AGENT_ENV.dbSecretArn)) problems.push(`${AGENT_ENV.dbSecretArn}: required (or ${AGENT_ENV.dbCredentials} with the local provider)`);
  const allowance = get(AGENT_ENV.tokenAllowance);
  if (allowance !== undefined && !/^\d{1,15}$/.test(allowance)) problems.push(`${AGENT_ENV.tokenAllowance}: ${JSON.stringify(allowance)} is not valid (allowed: a whole number of tokens)`);
  const emailFrom = get(AGENT_ENV.emailFrom);
  if (emailFrom !== undefined && !EMAIL.test(emailFrom)) problems.push(`${AGENT_ENV.emailFrom}: ${JSON.stringify(emailFrom)} is not valid (allowed: an email address)`);
  const recipients = (get(AGENT_ENV.recipients) ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const badRecipients = recipients.filter((r) => !EMAIL.test(r));
  if (badRecipients.length > 0) problems.push(`${AGENT_ENV.recipients}: ${badRecipients.map((r) => JSON.stringify(r)).join(', ')} not valid (allowed: comma-separated email addresses)`);
  const unsubscribeUrls = unsubscribeLinks(tenant ?? '', recipients, get(AGENT_ENV.unsubscribeEndpoint), get(AGENT_ENV.unsubscribeSignatures), problems);
  const isolationText = get(AGENT_ENV.isolation) ?? 'silo';
  const isolation: Isolation = isIsolation(isolationText) ? isolationText : 'silo';
  if (!isIsolation(isolationText)) problems.push(`${AGENT_ENV.isolation}: ${JSON.stringify(isolationText)} is not valid (allowed: ${ISOLATIONS.join(', ')})`);
  const poolGrant = get(AGENT_ENV.poolGrant);
  if (isolation === 'pool' && !poolGrant) problems.push(`${AGENT_ENV.poolGrant}: required for a pooled run`);
  // Each unset value below has added its problem: the list is never empty when one is missing.
  if (problems.length > 0 || !agent || !tenant || !runId || !provider || !bucket) {
    throw new AgentConfigError(`invalid agent environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return {
    tenant,
    agent,
    runId,
    provider,
    bucket,
    dataDir,
    region: get('AWS_REGION') ?? get('AWS_DEFAULT_REGION'),
    endpointUrl: get('AWS_ENDPOINT_URL'),
    databaseUrl: get('DATABASE_URL'),
    dbSecretArn: get(AGENT_ENV.dbSecretArn),
    modelId: get(AGENT_ENV.modelId),
    tokenAllowance: allowance === undefined ? undefined : Number(allowance),
    logLevel: get(AGENT_ENV.logLevel) ?? 'info',
    displayName: get(AGENT_ENV.displayName),
    emailFrom,
    sesConfigurationSet: get(AGENT_ENV.sesConfigurationSet),
    recipients,
    unsubscribeUrls,
    isolation,
    ...(poolGrant ? { poolGrant } : {}),
    ...awsCredentials(get),
  };
}

/**
 * Each recipient's one-click link, from the endpoint and the controller's signatures (one per recipient,
 * in their order); a problem is added when they do not fit together. None when the controller gave none.
 */
function unsubscribeLinks(tenant: string, recipients: readonly string[], endpoint: string | undefined, signatureList: string | undefined, problems: string[]): Record<string, string> {
  if (endpoint === undefined && signatureList === undefined) return {};
  const signatures = (signatureList ?? '').split(',').filter(Boolean);
  if (endpoint === undefined || !/^https?:\/\/[^\s<>,?#]+$/.test(endpoint)) {
    problems.push(`${AGENT_ENV.unsubscribeEndpoint}: ${JSON.stringify(endpoint ?? '')} is not valid (allowed: an http(s) URL without query, given with ${AGENT_ENV.unsubscribeSignatures})`);
    return {};
  }
  if (signatures.length !== recipients.length || !signatures.every((s) => UNSUBSCRIBE_SIGNATURE.test(s))) {
    problems.push(`${AGENT_ENV.unsubscribeSignatures}: not valid (allowed: one 43-character base64url signature per recipient of ${AGENT_ENV.recipients}, comma-separated, ${recipients.length} here)`);
    return {};
  }
  return Object.fromEntries(recipients.map((to, i) => [to, unsubscribeLink(endpoint, tenant, to, signatures[i])]));
}

/** Credentials handed to an in-process run in its environment record (not process.env): the run's own, scoped to its tenant. */
function awsCredentials(get: (name: string) => string | undefined): Pick<AgentEnv, 'awsCredentials'> {
  const accessKeyId = get('AWS_ACCESS_KEY_ID');
  const secretAccessKey = get('AWS_SECRET_ACCESS_KEY');
  if (!accessKeyId || !secretAccessKey) return {};
  const sessionToken = get('AWS_SESSION_TOKEN');
  return { awsCredentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}
