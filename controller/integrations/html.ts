/**
 * The HTML of the customer-facing pages (the public face and the sandbox): escaped text, one inline
 * stylesheet allowed by its hash, no script. The Content-Security-Policy names exactly that.
 */
import { createHash } from 'node:crypto';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:10px;padding:2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}.product{color:#56607a;font-size:.9rem;letter-spacing:.04em;text-transform:uppercase}
.banner{background:#fff3c4;border:2px dashed #c79a00;padding:.5rem 1rem;border-radius:6px;font-weight:600}
.problem{border-left:4px solid #c62828;padding-left:1rem}.ok{border-left:4px solid #2e7d32;padding-left:1rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:0;background:#1f5fd1;color:#fff;cursor:pointer}
button.secondary{background:#e3e6ec;color:#1d2330}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
ul{padding-left:1.2rem}.next{color:#3b4356}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** No script, no frames, no plugins; the one stylesheet by hash; forms post to `formActions` only. */
export function contentSecurityPolicy(formActions: string[] = ["'self'"]): string {
  return `default-src 'none'; style-src ${STYLE_HASH}; img-src 'none'; base-uri 'none'; form-action ${formActions.join(' ')}; frame-ancestors 'none'`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function layout(options: { title: string; body: string; banner?: string; id?: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head>
<body${options.id ? ` data-page="${escapeHtml(options.id)}"` : ''}><main>
${options.banner ? `<p class="banner" id="banner">${escapeHtml(options.banner)}</p>\n` : ''}${options.body}
</main></body></html>
`;
}
