/** The pages customers see: the link, the result, and one page per failure saying what to do next. */
import { escapeHtml, layout } from './html.js';
import type { CallbackOutcome, LinkView, Refusal, TenantFacing } from './onboarding.js';

const PRODUCT = 'OpenClaw';
const ASK_OPS = 'Ask your OpenClaw contact for a new link.';

export function consentPage(view: LinkView & { kind: 'consent' }, action: string, sandbox: boolean): string {
  return layout({
    title: `Connect ${view.providerTitle} to ${PRODUCT}`,
    id: 'connect',
    banner: sandbox ? `SANDBOX: the ${view.providerTitle} sign-in that follows is the local sandbox, not the real service.` : undefined,
    body: `<p class="product">${PRODUCT}</p>
<h1>Connect a ${escapeHtml(view.providerTitle)} account to ${escapeHtml(view.displayName)}</h1>
${view.reauthorization ? `<p class="problem" id="reauthorization">The previous connection stopped working: ${escapeHtml(view.reauthorization)}. Connect again below.</p>\n` : ''}<p>${PRODUCT}'s agents for <strong id="tenant">${escapeHtml(view.displayName)}</strong> ask for this access, read-only:</p>
<ul id="scopes">${view.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
<p>You will sign in at ${escapeHtml(view.providerTitle)} and approve there. You can disconnect at any time by asking your ${PRODUCT} contact.</p>
<form method="post" action="${escapeHtml(action)}"><button type="submit" id="continue">Continue to ${escapeHtml(view.providerTitle)}</button></form>
<p class="next">This link works once and expires ${escapeHtml(view.expiresAt.toUTCString())}.</p>`,
  });
}

export function connectedPage(outcome: CallbackOutcome & { kind: 'connected' }): string {
  return layout({
    title: `${outcome.providerTitle} connected`,
    id: 'connected',
    body: `<p class="product">${PRODUCT}</p>
<h1>${escapeHtml(outcome.providerTitle)} is connected</h1>
<p class="ok">The agents of ${escapeHtml(outcome.displayName)} can now read <strong id="account">${escapeHtml(outcome.account)}</strong> with the access you approved.</p>
<p class="next">You can close this window. This link has now been used and no longer works.</p>`,
  });
}

const REFUSALS: Record<Refusal, { status: number; title: string; what: string; next: string }> = {
  unknown: { status: 404, title: 'This link is not valid', what: 'The link is incomplete or was never issued.', next: `Check that you copied the whole link. ${ASK_OPS}` },
  expired: { status: 410, title: 'This link has expired', what: 'Onboarding links work for a limited time, and this one is past it.', next: ASK_OPS },
  used: { status: 410, title: 'This link has already been used', what: 'Each link connects an account once, and this one already did.', next: `If the account shows as connected, there is nothing more to do. To connect again, ${ASK_OPS.toLowerCase()}` },
  unavailable: { status: 409, title: 'This connection is not available', what: 'The account this link was made for is not set up to use this integration any more.', next: 'Contact your OpenClaw contact.' },
  'not-configured': { status: 503, title: 'This integration is not available yet', what: 'OpenClaw is not yet registered with this provider in this deployment.', next: 'Contact your OpenClaw contact; your link stays valid until it expires.' },
  'unknown-state': { status: 400, title: 'This sign-in cannot be completed', what: 'The answer from the provider does not match a sign-in started here, or it was already completed.', next: 'Open your onboarding link again and press the button once.' },
  'other-browser': { status: 400, title: 'Please finish in the same browser', what: 'The sign-in was started in another browser or window, or its cookie was blocked.', next: 'Open your onboarding link again in this browser, with cookies allowed for this site.' },
  'consent-denied': { status: 400, title: 'Access was not granted', what: 'The access request was declined at the provider, so nothing was connected.', next: 'If that was a mistake, open your onboarding link again: it still works until it expires.' },
  'provider-error': { status: 502, title: 'The provider could not complete the connection', what: 'The provider refused or failed to complete the sign-in; nothing was connected.', next: 'Open your onboarding link again and retry; it still works until it expires. If this keeps happening, tell your OpenClaw contact.' },
};

export function refusalPage(why: Refusal, facing?: TenantFacing, detail?: string): { status: number; html: string } {
  const r = REFUSALS[why];
  const who = facing ? `<p>${escapeHtml(facing.providerTitle)} for ${escapeHtml(facing.displayName)}</p>\n` : '';
  return {
    status: r.status,
    html: layout({
      title: r.title,
      id: `refused-${why}`,
      body: `<p class="product">${PRODUCT}</p>
<h1>${escapeHtml(r.title)}</h1>
${who}<p class="problem">${escapeHtml(r.what)}${detail ? ` (${escapeHtml(detail)})` : ''}</p>
<p class="next" id="next">What to do next: ${escapeHtml(r.next)}</p>`,
    }),
  };
}

export function notFoundPage(): string {
  return refusalPage('unknown').html;
}

/** GET of a one-click link (a person, or a mail client's preview): a button, nothing recorded until it is pressed. */
export function unsubscribeConfirmPage(address: string, action: string): string {
  return layout({
    title: 'Unsubscribe from the digest',
    id: 'unsubscribe',
    body: `<p class="product">${PRODUCT}</p>
<h1>Stop the daily digest for ${escapeHtml(address)}?</h1>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" id="unsubscribe">Unsubscribe</button></form>`,
  });
}

export function unsubscribedPage(address: string): string {
  return layout({
    title: 'Unsubscribed',
    id: 'unsubscribed',
    body: `<p class="product">${PRODUCT}</p>
<h1>Unsubscribed</h1>
<p class="ok"><strong id="address">${escapeHtml(address)}</strong> will no longer receive this digest.</p>`,
  });
}

export function unsubscribeRefusedPage(): { status: number; html: string } {
  return {
    status: 403,
    html: layout({
      title: 'This unsubscribe link is not valid',
      id: 'unsubscribe-refused',
      body: `<p class="product">${PRODUCT}</p>
<h1>This unsubscribe link is not valid</h1>
<p class="problem">The link is incomplete or was altered, so nothing was changed.</p>
<p class="next" id="next">What to do next: use the unsubscribe link of a recent digest, or reply to it asking to unsubscribe.</p>`,
    }),
  };
}
