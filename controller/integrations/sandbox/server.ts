/**
 * Sandbox authorization servers for Google, Microsoft and HubSpot, on one fastify listener under
 * `/<provider>/`: a consent page (clearly labelled SANDBOX), the token endpoint (authorization code
 * with PKCE S256, refresh with rotation), revocation, and the one API call the controller makes to
 * name the connected account. `npm start` runs it in process; tests use it as the providers' double.
 * Error bodies follow each provider's: `{"error":"invalid_grant","error_description":…}`, with
 * Microsoft's AADSTS codes and HubSpot's `status`/`message` besides.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isIntegrationProvider, type IntegrationProviderName } from '../../../contract/integration-secret.js';
import { PROVIDER_PROFILES } from '../providers.js';
import { providerStores, registerProviderApis, type ProviderStores, type Seeds } from './apis/index.js';
import { formValues } from './apis/common.js';
import { listeningPort } from '../../listening-port.js';
import { sampleSeeds } from './apis/sample.js';
import { consentPage, errorPage, SANDBOX_CSP } from './pages.js';
import { AuthorizationState, type TokenAnswer } from './state.js';

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface SandboxOptions {
  clients: SandboxClient[];
  now?: () => number;
  port?: number;
  host?: string;
  /** What a newly read account holds; default: the sample mailbox, calendar and CRM. */
  seeds?: Seeds;
}

export interface AuthorizationSandbox {
  state: AuthorizationState;
  /** The mailboxes, calendars and CRM portals of the connected accounts. */
  apis: ProviderStores;
  /** http://localhost:<port> */
  url: string;
  /** The base URL of one provider: `<url>/<provider>`. */
  baseUrl(provider: IntegrationProviderName): string;
  /** Registers another client (the runtime learns its redirect URI only once its listener is up). */
  addClient(client: SandboxClient): void;
  close(): Promise<void>;
}

interface PendingRequest {
  provider: IntegrationProviderName;
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
  scopes: string[];
}

type Form = Record<string, string | undefined>;

export async function startAuthorizationSandbox(options: SandboxOptions): Promise<AuthorizationSandbox> {
  const now = options.now ?? Date.now;
  const state = new AuthorizationState(now);
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const pending = new Map<string, PendingRequest>();
  const app: FastifyInstance = Fastify({ logger: false });
  await app.register(formbody);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  });

  const providerOf = (request: FastifyRequest<{ Params: { provider: string } }>): IntegrationProviderName | undefined => {
    const { provider } = request.params;
    return isIntegrationProvider(provider) ? provider : undefined;
  };
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).header('content-security-policy', SANDBOX_CSP).type('text/html; charset=utf-8').send(body);

  app.get<{ Params: { provider: string } }>('/:provider/authorize', async (request, reply) => {
    const provider = providerOf(request);
    const q = formValues(request.query);
    if (!provider) return html(reply, 404, errorPage('Unknown provider', 'This sandbox serves google, microsoft and hubspot.'));
    const client = clients.get(q.client_id ?? '');
    // Like the real providers: a bad client or redirect URI is shown here, never redirected to.
    if (!client) return html(reply, 400, errorPage('Error 401: invalid_client', 'The OAuth client was not found.'));
    if (!q.redirect_uri || !client.redirectUris.includes(q.redirect_uri)) return html(reply, 400, errorPage('Error 400: redirect_uri_mismatch', 'The redirect URI in the request does not match the ones registered for this client.'));
    const back = (params: Record<string, string>) => reply.redirect(withParams(q.redirect_uri!, { ...params, ...(q.state ? { state: q.state } : {}) }), 303);
    if (q.response_type !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be code' });
    if (q.code_challenge_method !== 'S256' || !q.code_challenge) return back({ error: 'invalid_request', error_description: 'PKCE with code_challenge_method=S256 is required' });
    const scopes = (q.scope ?? '').split(/[\s+]+/).filter(Boolean);
    const id = randomBytes(16).toString('base64url');
    pending.set(id, { provider, clientId: client.clientId, redirectUri: q.redirect_uri, state: q.state ?? '', challenge: q.code_challenge, scopes });
    const profile = PROVIDER_PROFILES[provider];
    return html(reply, 200, consentPage({
      id, title: profile.title, action: `/${provider}/decision`,
      scopes: scopes.map((scope) => profile.scopes.find((s) => s.scope === scope)?.words ?? scope),
      account: q.login_hint ?? (provider === 'hubspot' ? '24681357' : 'sandbox.user@example.com'),
      accountLabel: provider === 'hubspot' ? 'HubSpot portal id' : 'Email address',
    }));
  });

  app.post('/:provider/decision', async (request, reply) => {
    const form = formValues(request.body);
    const request_ = pending.get(form.request ?? '');
    if (!request_) return html(reply, 400, errorPage('This request has expired', 'Start again from the link you were given.'));
    pending.delete(form.request!);
    const params: Record<string, string> = form.decision === 'approve'
      ? { code: state.issueCode({ ...request_, account: (form.account ?? '').trim() || 'sandbox.user@example.com' }) }
      : { error: 'access_denied', error_description: 'The user denied the request' };
    if (request_.state) params.state = request_.state;
    return reply.redirect(withParams(request_.redirectUri, params), 303);
  });

  app.post<{ Params: { provider: string } }>('/:provider/token', async (request, reply) => {
    const provider = providerOf(request);
    if (!provider) return reply.code(404).send({ error: 'not_found' });
    const form = formValues(request.body);
    const client = authenticate(clients, request.headers.authorization, form);
    if (!client) return tokenError(reply, provider, { ok: false, status: 401, error: 'invalid_client', description: 'The OAuth client was not found or its secret is wrong.' });
    let answer: TokenAnswer;
    if (form.grant_type === 'authorization_code') answer = state.exchangeCode(provider, client.clientId, form.code ?? '', form.redirect_uri ?? '', form.code_verifier ?? '');
    else if (form.grant_type === 'refresh_token') answer = state.refresh(provider, client.clientId, form.refresh_token ?? '');
    else answer = { ok: false, status: 400, error: 'unsupported_grant_type', description: `grant_type ${form.grant_type ?? '(none)'} is not supported` };
    if (!answer.ok) return tokenError(reply, provider, answer);
    return reply.code(200).send({
      access_token: answer.accessToken,
      refresh_token: answer.refreshToken,
      expires_in: answer.expiresIn,
      // HubSpot answers "bearer" and no scope; Google and Microsoft "Bearer" and the granted scope.
      token_type: provider === 'hubspot' ? 'bearer' : 'Bearer',
      ...(provider === 'hubspot' ? {} : { scope: answer.scopes.join(' ') }),
    });
  });

  // RFC 7009 (Google): POST token=…; 200 whether or not the token was known.
  app.post('/:provider/revoke', async (request, reply) => {
    const form = formValues(request.body);
    if (!form.token) return reply.code(400).send({ error: 'invalid_request', error_description: 'Missing required parameter: token' });
    state.revoke(form.token);
    return reply.code(200).send({});
  });

  // HubSpot: DELETE /oauth/v1/refresh-tokens/{token} → 204.
  app.delete<{ Params: { token: string } }>('/hubspot/oauth/v1/refresh-tokens/:token', async (request, reply) => {
    state.revoke(request.params.token);
    return reply.code(204).send();
  });

  const bearer = (request: FastifyRequest, provider: IntegrationProviderName) => {
    const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
    return match ? state.introspect(provider, match[1]) : undefined;
  };
  app.get('/microsoft/v1.0/me', async (request, reply) => {
    const grant = bearer(request, 'microsoft');
    if (!grant) return reply.code(401).send({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } });
    return reply.send({ id: grant.account, userPrincipalName: grant.account, mail: grant.account, displayName: grant.account });
  });
  app.get<{ Params: { token: string } }>('/hubspot/oauth/v1/access-tokens/:token', async (request, reply) => {
    const grant = state.introspect('hubspot', request.params.token);
    if (!grant) return reply.code(404).send({ status: 'error', message: 'Token not found', correlationId: randomBytes(8).toString('hex') });
    return reply.send({ token: grant.token, user: 'sandbox.user@example.com', hub_id: Number(grant.account) || grant.account, scopes: grant.scopes, token_type: 'access', expires_in: Math.floor((grant.expiresAt - (options.now ?? Date.now)()) / 1000) });
  });

  // The APIs the agents' connectors read, on every connected account: Gmail (its profile names the
  // account at connection), Calendar, Graph delta, HubSpot search.
  const apis = providerStores(now, options.seeds ?? sampleSeeds(now));
  registerProviderApis(app, { authorize: (provider, accessToken) => state.introspect(provider, accessToken)?.account, now }, apis);

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const url = `http://localhost:${listeningPort(app.server, 'OAuth sandbox')}`;
  return {
    state,
    apis,
    url,
    baseUrl: (provider) => `${url}/${provider}`,
    addClient: (client) => { clients.set(client.clientId, client); },
    close: () => app.close(),
  };
}

/** The sandbox endpoints of one provider, laid out as configuration expects them. */
export function sandboxEndpoints(baseUrl: string, provider: IntegrationProviderName) {
  return {
    authorizationUrl: `${baseUrl}/authorize`,
    tokenUrl: `${baseUrl}/token`,
    apiUrl: baseUrl,
    ...(provider === 'google' ? { revocationUrl: `${baseUrl}/revoke` } : {}),
    ...(provider === 'hubspot' ? { revocationUrl: `${baseUrl}/oauth/v1/refresh-tokens` } : {}),
  };
}

function tokenError(reply: FastifyReply, provider: IntegrationProviderName, answer: TokenAnswer & { ok: false }): FastifyReply {
  const base = { error: answer.error, error_description: answer.description };
  if (provider === 'microsoft') {
    const code = answer.error === 'invalid_grant' ? 70008 : 7000215;
    return reply.code(answer.status).send({ ...base, error_description: `AADSTS${code}: ${answer.description}`, error_codes: [code], timestamp: new Date().toISOString(), trace_id: randomBytes(8).toString('hex'), correlation_id: randomBytes(8).toString('hex') });
  }
  if (provider === 'hubspot') {
    return reply.code(answer.status).send({ status: answer.error === 'invalid_grant' ? 'BAD_REFRESH_TOKEN' : 'BAD_CLIENT_ID', message: answer.description, correlationId: randomBytes(8).toString('hex'), ...base });
  }
  return reply.code(answer.status).send(base);
}

/** client_secret_basic or client_secret_post, compared in constant time. */
function authenticate(clients: Map<string, SandboxClient>, authorization: string | undefined, form: Form): SandboxClient | undefined {
  let id = form.client_id;
  let secret = form.client_secret;
  const basic = /^Basic (.+)$/i.exec(authorization ?? '');
  if (basic) {
    const [user, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    id = decodeURIComponent(user ?? '');
    secret = decodeURIComponent(pass ?? '');
  }
  const client = clients.get(id ?? '');
  if (!client || secret === undefined) return undefined;
  const a = Buffer.from(secret);
  const b = Buffer.from(client.clientSecret);
  return a.length === b.length && timingSafeEqual(a, b) ? client : undefined;
}

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
