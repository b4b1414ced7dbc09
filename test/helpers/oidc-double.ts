/**
 * A local OpenID Connect provider for tests: discovery, an authorization endpoint that signs in a fixed
 * user at once, and a token endpoint that checks the PKCE verifier and returns an ES256 ID token.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OidcUser {
  sub: string;
  email: string;
  groups: string[];
}

export interface OidcDouble {
  issuer: string;
  clientId: string;
  /** The user the next authorization signs in. */
  user: OidcUser;
  /** Token requests whose PKCE verifier did not match. */
  pkceFailures: number;
  close(): Promise<void>;
}

export async function startOidcDouble(clientId: string, user: OidcUser): Promise<OidcDouble> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'double-1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; user: OidcUser }>();
  const server = createServer((req, res) => void handle(req, res).catch(() => send(res, 500, { error: 'server_error' })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const double: OidcDouble = {
    issuer, clientId, user, pkceFailures: 0,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'], code_challenge_methods_supported: ['S256'], id_token_signing_alg_values_supported: ['ES256'],
        subject_types_supported: ['public'], token_endpoint_auth_methods_supported: ['client_secret_post', 'none'],
      });
    }
    if (url.pathname === '/jwks') return send(res, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('state')) return send(res, 400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? '', redirectUri: q.get('redirect_uri')!, user: double.user });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!grant || form.get('redirect_uri') !== grant.redirectUri || form.get('client_id') !== clientId) return send(res, 400, { error: 'invalid_grant' });
      if (createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== grant.challenge) {
        double.pkceFailures += 1;
        return send(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
      }
      const idToken = await new SignJWT({ email: grant.user.email, groups: grant.user.groups, nonce: grant.nonce })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).setIssuer(issuer).setAudience(clientId).setSubject(grant.user.sub)
        .setIssuedAt().setExpirationTime('5m').sign(privateKey);
      return send(res, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    send(res, 404, { error: 'not_found' });
  }
  return double;
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value));
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}
