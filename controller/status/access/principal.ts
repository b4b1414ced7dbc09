/**
 * Who is calling the ops API and what they may do: pure rules, no I/O.
 * `viewer` reads; `operator` may also act (trigger, rotate, confirm, refresh, pause, resume).
 */
import type { AuthConfig, OpsRole } from '../../config-http.js';

export type { OpsRole };

/**
 * How the caller was recognized. `cli` is for actions taken with tenantctl on the controller's database;
 * `webhook` for GitHub's push webhook, known by the HMAC of its body.
 */
export type AuthMethod = 'alb' | 'session' | 'token' | 'anonymous' | 'cli' | 'webhook';

export interface Principal {
  /** An email, a token's name, or "anonymous". */
  subject: string;
  role: OpsRole;
  via: AuthMethod;
}

/** What a route needs: nothing, the metrics token or read access, read access, or the operator role. */
export type Access = 'open' | 'metrics' | 'read' | 'operate';

/** An identity from an IdP (ALB header or OIDC login). */
export interface Identity {
  subject: string;
  email?: string;
  groups: string[];
}

const RANK: Record<OpsRole, number> = { viewer: 1, operator: 2 };

export function roleAllows(role: OpsRole, access: Access): boolean {
  if (access === 'open') return true;
  return RANK[role] >= RANK[access === 'operate' ? 'operator' : 'viewer'];
}

/** The role configuration gives an identity: operators first, then viewers, then the default (or none). */
export function roleFor(identity: Identity, auth: Pick<AuthConfig, 'operators' | 'viewers' | 'defaultRole'>): OpsRole | undefined {
  const keys = new Set([...(identity.email ? [identity.email.toLowerCase()] : []), ...identity.groups.map((g) => `group:${g}`)]);
  const matches = (entries: readonly string[]) => entries.some((entry) => keys.has(entry.startsWith('group:') ? entry : entry.toLowerCase()));
  if (matches(auth.operators)) return 'operator';
  if (matches(auth.viewers)) return 'viewer';
  return auth.defaultRole;
}

/** 127.0.0.0/8, ::1 and localhost: addresses nothing outside this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
