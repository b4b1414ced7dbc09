/**
 * A controller on a real PostgreSQL with the example tenants applied, the stateful double of the
 * three authorization servers (the sandbox module, registered with a test client), and the public
 * listener on a free port. One clock drives the controller, the links and the double.
 */
import { parseIntegrationSecret, type IntegrationProviderName, type IntegrationSecretValue } from '../../contract/integration-secret.js';
import { names } from '../../contract/names.js';
import { createIntegrations, type Integrations } from '../../controller/integrations/index.js';
import { issueLink, type IssuedLink } from '../../controller/integrations/issue.js';
import { startPublicServer, type PublicServer } from '../../controller/integrations/public-server.js';
import { startAuthorizationSandbox, type AuthorizationSandbox } from '../../controller/integrations/sandbox/server.js';
import { createWorld, type World } from '../helpers/world.js';

/**
 * A tenant whose butler reads the integrations of `providers`: its contact is it@<name>.example, its
 * isolation the tier's default unless `isolation` names one.
 */
export function butlerTenantYaml(name: string, options: { displayName?: string; tier: 'starter' | 'professional'; isolation?: 'silo' | 'pool'; providers: IntegrationProviderName[] }): string {
  return [
    'apiVersion: openclaw.io/v1alpha1', 'kind: Tenant', `metadata: { name: ${name} }`, 'spec:', `  displayName: ${options.displayName ?? name}`, `  contact: { email: it@${name}.example }`,
    `  tier: ${options.tier}`, ...(options.isolation ? [`  isolation: ${options.isolation}`] : []), '  agents: [{ name: butler, schedule: "0 7 * * *" }]',
    `  integrations: [${options.providers.map((p) => `{ provider: ${p} }`).join(', ')}]`, '',
  ].join('\n');
}

export const CLIENT = { clientId: 'openclaw-test-client', clientSecret: 'test-client-secret-0123456789' };

export interface OnboardingWorld {
  world: World;
  double: AuthorizationSandbox;
  server: PublicServer;
  integrations: Integrations;
  clock: { now: number };
  /** Sees each statement the controller's pools send, before it is sent: a test's probe. */
  onStatement: ((text: string) => void) | undefined;
  /** The environment a tenantctl command needs to act on this world. */
  env: Record<string, string>;
  link(tenant: string, provider: IntegrationProviderName, ttlMs?: number): Promise<IssuedLink>;
  /** Link page → button → provider consent → decision: the callback URL the provider redirects to, and the browser's cookie. */
  consent(link: string, options?: { decision?: 'approve' | 'deny'; account?: string }): Promise<{ callback: string; cookie: string; authorizeUrl: string }>;
  callback(callback: string, cookie?: string): Promise<Response>;
  secret(tenant: string, provider: IntegrationProviderName): Promise<IntegrationSecretValue | undefined>;
  secretText(tenant: string, provider: IntegrationProviderName): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function createOnboardingWorld(): Promise<OnboardingWorld> {
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const double = await startAuthorizationSandbox({ clients: [], now });
  const env: Record<string, string> = { OPENCLAW_PUBLIC_PORT: '0' };
  for (const provider of ['google', 'microsoft', 'hubspot'] as const) {
    const p = `OPENCLAW_${provider.toUpperCase()}_`;
    const base = double.baseUrl(provider);
    Object.assign(env, {
      [`${p}AUTHORIZATION_URL`]: `${base}/authorize`, [`${p}TOKEN_URL`]: `${base}/token`, [`${p}API_URL`]: base,
      [`${p}CLIENT_ID`]: CLIENT.clientId, [`${p}CLIENT_SECRET`]: CLIENT.clientSecret,
      ...(provider === 'google' ? { [`${p}REVOCATION_URL`]: `${base}/revoke` } : {}),
      ...(provider === 'hubspot' ? { [`${p}REVOCATION_URL`]: `${base}/oauth/v1/refresh-tokens` } : {}),
    });
  }
  let onStatement: OnboardingWorld['onStatement'];
  const world = await createWorld({ now, extraEnv: env, beforeQuery: (text) => onStatement?.(text) });
  await world.pass();
  let publicUrl = '';
  const integrations = createIntegrations(world.ctx, { publicUrl: () => publicUrl });
  const server = await startPublicServer({ onboarding: integrations.onboarding, optOuts: integrations.optOuts, log: world.ctx.log, publicUrl: 'http://localhost', sandbox: () => false, port: 0, host: '127.0.0.1' });
  publicUrl = server.url;
  double.addClient({ ...CLIENT, redirectUris: [`${publicUrl}/callback`] });

  const secretName = (tenant: string, provider: IntegrationProviderName) => names.integrationSecret(world.ctx.config.aws.secretsPrefix, tenant, provider);
  const self: OnboardingWorld = {
    world, double, server, integrations, clock,
    get onStatement() { return onStatement; },
    set onStatement(probe) { onStatement = probe; },
    env: { ...env, DATABASE_URL: world.db.url, OPENCLAW_DATA_DIR: world.dataDir, OPENCLAW_TENANTS_DIR: world.tenantsDir, OPENCLAW_LOG_LEVEL: 'warn' },
    link: (tenant, provider, ttlMs) => issueLink(
      { config: { ...world.ctx.config, publicFace: { ...world.ctx.config.publicFace, url: publicUrl } }, status: world.ctx.store, links: integrations.links },
      { tenant, provider, ttlMs, createdBy: 'test' },
    ),
    async consent(link, options = {}) {
      const started = await fetch(link, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      if (started.status !== 303) throw new Error(`POST ${link}: HTTP ${started.status}: ${await started.text()}`);
      const cookie = (started.headers.get('set-cookie') ?? '').split(';')[0];
      const authorizeUrl = started.headers.get('location')!;
      const page = await (await fetch(authorizeUrl)).text();
      const request = /name="request" value="([^"]+)"/.exec(page)?.[1];
      if (!request) throw new Error(`no consent form at ${authorizeUrl}: ${page.slice(0, 300)}`);
      const form = new URLSearchParams({ request, decision: options.decision ?? 'approve', account: options.account ?? 'owner@acme.example' });
      const decided = await fetch(new URL(`${new URL(authorizeUrl).pathname.replace(/authorize$/, 'decision')}`, authorizeUrl), { method: 'POST', redirect: 'manual', body: form });
      return { callback: decided.headers.get('location')!, cookie, authorizeUrl };
    },
    callback: (callback, cookie) => fetch(callback, { redirect: 'manual', headers: cookie ? { cookie } : {} }),
    secretText: (tenant, provider) => world.ctx.provider.secrets.getValue(secretName(tenant, provider)),
    async secret(tenant, provider) {
      return parseIntegrationSecret(await self.secretText(tenant, provider));
    },
    async close() {
      await server.close();
      await double.close();
      await world.close();
    },
  };
  return self;
}
