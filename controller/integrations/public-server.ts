/**
 * The public face: the only listener customers reach (OPENCLAW_PUBLIC_PORT), apart from the ops
 * API. Three routes: the link page (GET /connect/<link>), the button (POST /connect/<link>, which
 * redirects to the provider's authorization URL from configuration, never to anything a request
 * names), the OAuth callback (GET /callback), and one-click unsubscribe (POST /unsubscribe, RFC 8058; its
 * GET only shows the button). Strict CSP, no script, and a page for every failure.
 * URLs are never logged: they carry the link and the authorization code.
 */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { listeningPort } from '../listening-port.js';
import type { Logger } from 'pino';
import { contentSecurityPolicy } from './html.js';
import { safeError } from './keeper.js';
import type { Onboarding } from './onboarding.js';
import { connectedPage, consentPage, notFoundPage, refusalPage, unsubscribeConfirmPage, unsubscribedPage, unsubscribeRefusedPage } from './public-pages.js';
import { verifyUnsubscribe, type OptOuts } from './unsubscribe.js';

export interface PublicServerOptions {
  onboarding: Onboarding;
  /** One-click unsubscribe of the digest's recipients (RFC 8058). */
  optOuts: OptOuts;
  log: Logger;
  /** Base URL customers reach (no trailing slash); https adds Secure cookies and HSTS. */
  publicUrl: string;
  /** True when the providers behind it are the local sandbox: the pages say so. */
  sandbox: (provider: string) => boolean;
  port: number;
  host?: string;
}

export interface PublicServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const COOKIE = 'openclaw_onboarding';
const CONSENT_WINDOW_S = 3600;

export async function startPublicServer(options: PublicServerOptions): Promise<PublicServer> {
  const log = options.log.child({ component: 'public' });
  const secure = options.publicUrl.startsWith('https:');
  const app = Fastify({ logger: false, bodyLimit: 4096, trustProxy: false });
  await app.register(formbody);

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', contentSecurityPolicy());
    reply.header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store').header('cross-origin-opener-policy', 'same-origin');
    if (secure) reply.header('strict-transport-security', 'max-age=31536000');
  });
  app.addHook('onResponse', async (request, reply) => {
    log.info({ route: request.routeOptions.url ?? 'unmatched', method: request.method, status: reply.statusCode }, 'public request');
  });

  const page = (reply: FastifyReply, status: number, html: string) => reply.code(status).type('text/html; charset=utf-8').send(html);

  app.get<{ Params: { link: string } }>('/connect/:link', async (request, reply) => {
    const view = await options.onboarding.view(request.params.link);
    if (view.kind === 'refused') {
      const refused = refusalPage(view.why, view.facing);
      return page(reply, refused.status, refused.html);
    }
    // Browsers apply form-action to the redirect that follows the button's post: allow the provider's origin.
    reply.header('content-security-policy', contentSecurityPolicy(["'self'", view.authorizationOrigin]));
    return page(reply, 200, consentPage(view, `/connect/${encodeURIComponent(request.params.link)}`, options.sandbox(view.provider)));
  });

  app.post<{ Params: { link: string } }>('/connect/:link', async (request, reply) => {
    const outcome = await options.onboarding.start(request.params.link);
    if (outcome.kind === 'refused') {
      const refused = refusalPage(outcome.why, outcome.facing);
      return page(reply, refused.status, refused.html);
    }
    const cookie = [`${COOKIE}=${outcome.browser}`, 'Path=/callback', 'HttpOnly', 'SameSite=Lax', `Max-Age=${CONSENT_WINDOW_S}`, ...(secure ? ['Secure'] : [])].join('; ');
    return reply.code(303).header('set-cookie', cookie).header('location', outcome.url).send();
  });

  app.get('/callback', async (request, reply) => {
    const url = new URL(request.url, options.publicUrl);
    const outcome = await options.onboarding.callback(url, readCookie(request.headers.cookie, COOKIE));
    reply.header('set-cookie', `${COOKIE}=; Path=/callback; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`);
    if (outcome.kind === 'connected') return page(reply, 200, connectedPage(outcome));
    const refused = refusalPage(outcome.why, outcome.facing, outcome.detail);
    return page(reply, refused.status, refused.html);
  });

  const tokenOf = (request: FastifyRequest) => new URL(request.url, options.publicUrl).searchParams.get('token') ?? '';

  app.get('/unsubscribe', async (request, reply) => {
    const token = tokenOf(request);
    const optOut = verifyUnsubscribe(await options.optOuts.signingKey(), token);
    if (!optOut) return page(reply, unsubscribeRefusedPage().status, unsubscribeRefusedPage().html);
    return page(reply, 200, unsubscribeConfirmPage(optOut.address, `/unsubscribe?token=${encodeURIComponent(token)}`));
  });

  // RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the URL of the header, without cookies.
  app.post('/unsubscribe', async (request, reply) => {
    const body = request.body;
    const oneClick = typeof body === 'object' && body !== null && 'List-Unsubscribe' in body && body['List-Unsubscribe'] === 'One-Click';
    const optOut = oneClick ? await options.optOuts.accept(tokenOf(request)) : undefined;
    if (!optOut) {
      log.warn({ oneClick }, 'unsubscribe refused: not a one-click request with a valid token');
      return page(reply, unsubscribeRefusedPage().status, unsubscribeRefusedPage().html);
    }
    log.info({ tenant: optOut.tenant }, 'recipient unsubscribed from the digest');
    return page(reply, 200, unsubscribedPage(optOut.address));
  });

  app.setNotFoundHandler(async (_request, reply) => page(reply, 404, notFoundPage()));
  app.setErrorHandler(async (error, _request, reply) => {
    log.error({ error: safeError(error) }, 'public request failed');
    const failed = refusalPage('provider-error');
    const status = typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
    return page(reply, status, failed.html);
  });

  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const port = listeningPort(app.server, 'public listener');
  log.info({ port, publicUrl: options.publicUrl }, 'public listener up');
  return { port, url: `http://localhost:${port}`, close: () => app.close() };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || undefined;
  }
  return undefined;
}
