/**
 * The OIDC login of the ops page, without an ALB: authorization code with PKCE against the company IdP
 * (oauth4webapi), then a signed session cookie. The IdP's identity maps to a role as the ALB's does.
 * Login state (verifier, state, nonce, where to return) rides in a short-lived signed cookie.
 */
import * as oauth from 'oauth4webapi';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthConfig } from '../../config-http.js';
import { sendJson } from '../reply.js';
import type { StatusRoute } from '../routes.js';
import { groupsFrom } from './alb.js';
import { roleFor } from './principal.js';
import { LOGIN_COOKIE, SESSION_COOKIE, SESSION_MS, type Signer } from './session.js';

type OidcConfig = NonNullable<AuthConfig['oidc']>;

const LOGIN_MS = 10 * 60_000;

export function oidcRoutes(auth: AuthConfig & { oidc: OidcConfig }, signer: Signer, now: () => number): StatusRoute[] {
  const { oidc } = auth;
  const issuer = new URL(oidc.issuer);
  // A plain-http issuer is for a local test double only; production issuers are https.
  const insecure = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
  const client: oauth.Client = { client_id: oidc.clientId };
  const clientAuth = oidc.clientSecret ? oauth.ClientSecretPost(oidc.clientSecret) : oauth.None();
  const secure = new URL(oidc.redirectUrl).protocol === 'https:';
  let server: Promise<oauth.AuthorizationServer> | undefined;
  const discover = () => {
    server ??= oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }).then((response) => oauth.processDiscoveryResponse(issuer, response));
    server.catch(() => { server = undefined; });
    return server;
  };
  const cookie = (reply: FastifyReply, name: string, value: string, maxAgeMs: number) =>
    reply.setCookie(name, value, { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: Math.floor(maxAgeMs / 1000) });

  return [
    {
      method: 'GET', url: '/auth/login', access: 'open', handler: async (request, reply) => {
        const as = await discover();
        if (!as.authorization_endpoint) return sendJson(reply, 502, { error: 'the IdP publishes no authorization endpoint' });
        const verifier = oauth.generateRandomCodeVerifier();
        const state = oauth.generateRandomState();
        const nonce = oauth.generateRandomNonce();
        cookie(reply, LOGIN_COOKIE, signer.sign({ kind: 'login', verifier, state, nonce, next: safeNext(request), exp: now() + LOGIN_MS }), LOGIN_MS);
        const url = new URL(as.authorization_endpoint);
        url.search = new URLSearchParams({
          client_id: oidc.clientId, response_type: 'code', redirect_uri: oidc.redirectUrl, scope: 'openid email profile',
          state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
        }).toString();
        await reply.redirect(url.href, 302);
      },
    },
    {
      method: 'GET', url: '/auth/callback', access: 'open', handler: async (request, reply) => {
        const login = signer.verify(request.cookies[LOGIN_COOKIE] ?? '', now());
        if (!login || login.kind !== 'login' || typeof login.verifier !== 'string' || typeof login.state !== 'string' || typeof login.nonce !== 'string') {
          return sendJson(reply, 400, { error: 'no login in progress (or it expired): start again at /auth/login' });
        }
        const as = await discover();
        let claims: oauth.IDToken | undefined;
        try {
          const params = oauth.validateAuthResponse(as, client, new URL(request.url, oidc.redirectUrl), login.state);
          const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, oidc.redirectUrl, login.verifier, insecure);
          claims = oauth.getValidatedIdTokenClaims(await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: login.nonce, requireIdToken: true }));
        } catch (error) {
          request.log.warn({ err: error }, 'an OIDC login failed');
          return sendJson(reply, 401, { error: 'the sign-in at the IdP did not complete; start again at /auth/login' });
        }
        if (!claims) return sendJson(reply, 401, { error: 'the IdP returned no ID token' });
        const email = typeof claims.email === 'string' ? claims.email : undefined;
        const identity = { subject: email ?? claims.sub, email, groups: groupsFrom(claims, oidc.groupsClaim) };
        const role = roleFor(identity, auth);
        void reply.clearCookie(LOGIN_COOKIE, { path: '/' });
        if (!role) return sendJson(reply, 403, { error: `${identity.subject} has no role on the ops API (ask for OPENCLAW_OPS_VIEWERS or OPENCLAW_OPS_OPERATORS)` });
        cookie(reply, SESSION_COOKIE, signer.sign({ kind: 'session', subject: identity.subject, role, exp: now() + SESSION_MS }), SESSION_MS);
        await reply.redirect(typeof login.next === 'string' ? login.next : '/', 302);
      },
    },
    {
      method: 'POST', url: '/auth/logout', access: 'open', handler: async (_request, reply) => {
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        sendJson(reply, 200, { status: 'signed out' });
      },
    },
  ];
}

/** Where to return after the login: a path on this server only (never `//host` or a full URL). */
function safeNext(request: FastifyRequest): string {
  const next = new URL(request.url, 'http://local').searchParams.get('next');
  return next && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}
