import { contentSecurityPolicy, escapeHtml, layout } from '../html.js';

export const SANDBOX_CSP = contentSecurityPolicy(["'self'", 'http://localhost:*', 'http://127.0.0.1:*', 'https:']);
const BANNER = 'SANDBOX identity provider: not the real service. For trying OpenClaw on one machine; no real account is involved.';

export function consentPage(input: { id: string; title: string; action: string; scopes: string[]; account: string; accountLabel: string }): string {
  return layout({
    title: `Sandbox ${input.title}: sign in and consent`,
    banner: BANNER,
    id: 'sandbox-consent',
    body: `<p class="product">Sandbox ${escapeHtml(input.title)}</p>
<h1>OpenClaw wants to access your ${escapeHtml(input.title)} account</h1>
<ul id="scopes">${input.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="request" value="${escapeHtml(input.id)}">
<p><label>${escapeHtml(input.accountLabel)} <input name="account" id="account" value="${escapeHtml(input.account)}"></label></p>
<p><button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="deny" id="deny" class="secondary">Deny</button></p>
</form>`,
  });
}

export function errorPage(title: string, message: string): string {
  return layout({ title, banner: BANNER, id: 'sandbox-error', body: `<h1>${escapeHtml(title)}</h1><p class="problem">${escapeHtml(message)}</p>` });
}
