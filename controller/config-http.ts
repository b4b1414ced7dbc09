/**
 * The ops server's part of the configuration: where it listens, what it accepts, and who may use it.
 * Read by loadConfig (config.ts) with the same Reader, so its problems are reported with the rest.
 */
import type { Reader } from './config-reader.js';

export type OpsRole = 'viewer' | 'operator';

export interface HttpConfig {
  port: number;
  /** The address the ops server binds; anonymous access only while it is a loopback address. */
  bind: string;
  /** Host header names the server answers (besides the probes); empty: loopback names on loopback, any elsewhere. */
  allowedHosts: string[];
  bodyLimitBytes: number;
  /** A request (headers and body) must arrive within this, or the connection is closed. */
  requestTimeoutMs: number;
  auth: AuthConfig;
}

export interface AuthConfig {
  /** Behind an ALB with authenticate-oidc: verify x-amzn-oidc-data signed by this load balancer. */
  alb?: { arn: string; region: string; keyUrl: string };
  /** Without an ALB: an OIDC login (authorization code with PKCE) against this issuer. */
  oidc?: { issuer: string; clientId: string; clientSecret?: string; redirectUrl: string; groupsClaim: string };
  /** Signs session cookies; generated at start when unset (sessions then end with the process). */
  sessionSecret?: string;
  /** Emails or `group:NAME` entries per role; an identity in neither gets `defaultRole`. */
  operators: string[];
  viewers: string[];
  defaultRole?: OpsRole;
  /** A bearer token that reads /metrics (and nothing else). */
  metricsToken?: string;
}

const ALB_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:loadbalancer\/app\/[\w-]+\/[0-9a-f]+$/;
const URL_PATTERN = /^https?:\/\/[^\s]+$/;
const PRINCIPAL = /^(group:[^\s,]+|[^\s,@]+@[^\s,@]+)$/;

export function readHttpConfig(read: Reader, problems: string[]): HttpConfig {
  const albArn = read.string('OPENCLAW_AUTH_ALB_ARN', { pattern: ALB_ARN, allowed: 'an application load balancer ARN, arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>' });
  const region = albArn ? ALB_ARN.exec(albArn)?.[1] : undefined;
  const keyUrl = read.string('OPENCLAW_AUTH_ALB_KEY_URL', { pattern: URL_PATTERN, allowed: 'an http:// or https:// URL the key id is appended to' });
  const issuer = read.string('OPENCLAW_OIDC_ISSUER', { pattern: URL_PATTERN, allowed: "the IdP's issuer URL (https://...)" });
  const clientId = read.string('OPENCLAW_OIDC_CLIENT_ID', { pattern: /^\S{1,256}$/, allowed: 'the client id registered at the IdP' });
  const redirectUrl = read.string('OPENCLAW_OIDC_REDIRECT_URL', { pattern: /^https?:\/\/[^\s]+\/auth\/callback$/, allowed: 'this server\'s public URL ending in /auth/callback' });
  const oidcSet = [issuer, clientId, redirectUrl].filter((value) => value !== undefined).length;
  if (oidcSet > 0 && oidcSet < 3) problems.push('OPENCLAW_OIDC_ISSUER, OPENCLAW_OIDC_CLIENT_ID, OPENCLAW_OIDC_REDIRECT_URL: set all three for an OIDC login, or none');
  if (albArn && issuer) problems.push('OPENCLAW_AUTH_ALB_ARN and OPENCLAW_OIDC_ISSUER: choose one way for people to sign in (allowed: an ALB or an OIDC login)');
  const auth: AuthConfig = {
    alb: albArn && region ? { arn: albArn, region, keyUrl: keyUrl ?? `https://public-keys.auth.elb.${region}.amazonaws.com/` } : undefined,
    oidc: issuer && clientId && redirectUrl ? {
      issuer, clientId, redirectUrl,
      clientSecret: read.string('OPENCLAW_OIDC_CLIENT_SECRET', { pattern: /^\S{8,}$/, allowed: 'the client secret, at least 8 characters', secret: true }),
      groupsClaim: read.string('OPENCLAW_OIDC_GROUPS_CLAIM', { pattern: /^[\w:./-]{1,100}$/, allowed: 'a claim name such as groups' }) ?? 'groups',
    } : undefined,
    sessionSecret: read.string('OPENCLAW_SESSION_SECRET', { pattern: /^\S{32,}$/, allowed: 'at least 32 characters without spaces', secret: true }),
    operators: read.list('OPENCLAW_OPS_OPERATORS', PRINCIPAL, 'comma-separated emails or group:NAME entries'),
    viewers: read.list('OPENCLAW_OPS_VIEWERS', PRINCIPAL, 'comma-separated emails or group:NAME entries'),
    defaultRole: read.oneOf('OPENCLAW_OPS_DEFAULT_ROLE', ['viewer', 'operator'] as const),
    metricsToken: read.string('OPENCLAW_METRICS_TOKEN', { pattern: /^\S{16,}$/, allowed: 'at least 16 characters without spaces', secret: true }),
  };
  return {
    port: read.integer('OPENCLAW_HTTP_PORT', 0, 65535) ?? 8080,
    bind: read.string('OPENCLAW_HTTP_BIND', { pattern: /^(localhost|[\d.]+|[0-9a-fA-F:]+)$/, allowed: 'an IP address such as 127.0.0.1 or 0.0.0.0, or localhost' }) ?? '127.0.0.1',
    allowedHosts: read.list('OPENCLAW_HTTP_ALLOWED_HOSTS', /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/, 'comma-separated host names, optionally with :port'),
    bodyLimitBytes: read.integer('OPENCLAW_HTTP_BODY_LIMIT', 1024, 10 * 1024 * 1024) ?? 64 * 1024,
    requestTimeoutMs: read.duration('OPENCLAW_HTTP_REQUEST_TIMEOUT') ?? 30_000,
    auth,
  };
}
