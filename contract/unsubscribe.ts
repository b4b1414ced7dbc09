/**
 * The one-click unsubscribe link's token (RFC 8058), as both sides build it: `<body>.<signature>`, the
 * body the base64url JSON naming one tenant and one address, the signature the controller's HMAC over
 * it. The controller hands a run only the signatures (43 characters each), and the agent, which knows
 * the tenant and its recipients, puts the links together: whole links for 21 recipients would take most
 * of ECS's 8,192 bytes of container overrides. Pure.
 */
export const UNSUBSCRIBE_PURPOSE = 'list-unsubscribe';

/** An HMAC-SHA256 in base64url: what the run is given per recipient. */
export const UNSUBSCRIBE_SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

export function unsubscribeBody(tenant: string, address: string): string {
  return Buffer.from(JSON.stringify({ p: UNSUBSCRIBE_PURPOSE, t: tenant, a: address.toLowerCase() })).toString('base64url');
}

/** `<endpoint>?token=<body>.<signature>`, the endpoint being the public listener's `/unsubscribe`. */
export function unsubscribeLink(endpoint: string, tenant: string, address: string, signature: string): string {
  return `${endpoint}?token=${encodeURIComponent(`${unsubscribeBody(tenant, address)}.${signature}`)}`;
}
