// The ops page: reads /api/fleet and /api/tenants (and /api/tenants/{name} in the detail view)
// every few seconds and updates the DOM in place. An operator also gets action buttons; each POST
// carries the CSRF token /api/me hands out. Every piece of data goes in as text
// (textContent, createTextNode), never as HTML.
'use strict';

const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);
let tenants = [];
let timer;
/** Who is signed in ({ subject, role, via, csrfToken }), from /api/me. */
let me = null;

/** An element with attributes and children; string children become text nodes. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function age(iso) {
  if (!iso) return '–';
  const ms = Date.parse(iso) - Date.now();
  const s = Math.floor(Math.abs(ms) / 1000);
  const span = s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : s < 172800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
  return ms >= 1000 ? `in ${span}` : `${span} ago`;
}

// Ready and Synced are good when True; Degraded is bad when True; Suspended, Paused and Offboarded only inform.
const BADGES = {
  Ready: { True: 'good', False: 'bad' }, Synced: { True: 'good', False: 'bad' }, Degraded: { True: 'bad', False: 'good' },
  Suspended: { True: 'muted' }, Paused: { True: 'muted' }, Offboarded: { True: 'muted' },
};

function badge(status, type) {
  const kind = (BADGES[type] || {})[status] || 'unknown';
  return el('span', { className: `badge badge-${kind}`, title: `${type}=${status}` }, status);
}

function fill(tbody, rows, columns) {
  const body = tbody.tagName === 'TBODY' ? tbody : tbody.querySelector('tbody');
  const fresh = rows.length === 0
    ? [el('tr', { className: 'empty' }, el('td', { colspan: columns }, 'none'))]
    : rows;
  body.replaceChildren(...fresh);
}

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error || `${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

// ---- operator actions ----

async function loadMe() {
  try {
    me = await getJson('/api/me');
    $('whoami').textContent = `${me.subject} · ${me.role}`;
  } catch {
    me = null;
  }
}

function canAct() {
  return Boolean(me && me.role === 'operator');
}

async function act(label, path, body) {
  const result = $('action-result');
  result.hidden = false;
  result.textContent = `${label}…`;
  try {
    const response = await fetch(path, {
      method: 'POST', cache: 'no-store',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
      body: JSON.stringify(body || {}),
    });
    const answer = await response.json().catch(() => ({}));
    result.textContent = response.ok ? `${label}: ${answer.message || answer.status || 'done'}` : `${label} failed: ${answer.error || `HTTP ${response.status}`}`;
    result.className = `banner ${response.ok ? 'banner-info' : 'banner-error'}`;
  } catch (error) {
    result.textContent = `${label} failed: ${error.message}`;
  }
  refresh();
}

function button(label, action, path, body) {
  const node = el('button', { type: 'button', 'data-action': action }, label);
  node.addEventListener('click', () => act(label, path, body));
  return node;
}

function renderTenantActions(t) {
  const base = `/api/tenants/${encodeURIComponent(t.name)}`;
  const paused = t.conditions.some((c) => c.type === 'Paused' && c.status === 'True');
  $('detail-actions').replaceChildren(...(canAct() ? [
    paused ? button('Resume', 'resume', `${base}/resume`) : button('Pause', 'pause', `${base}/pause`),
    button('Rotate database password', 'rotate', `${base}/rotate`),
    ...t.agents.filter((a) => a.active).map((a) => button(`Run ${a.name} now`, `run-${a.name}`, `${base}/runs`, { agent: a.name })),
  ] : []));
  fill($('detail-audit'), (t.audit || []).map((a) => el('tr', { className: a.result === 'succeeded' ? '' : 'warning' },
    el('td', { title: a.at }, age(a.at)), el('td', {}, a.actor), el('td', {}, a.role), el('td', {}, a.via), el('td', {}, a.action),
    el('td', {}, a.result), el('td', {}, a.revision || '–'), el('td', { className: 'message' }, a.message || ''))), 8);
}

// ---- fleet and list ----

function renderFleet(fleet) {
  $('count-ready').textContent = String(fleet.counts.ready);
  $('count-degraded').textContent = String(fleet.counts.degraded);
  $('count-suspended').textContent = String(fleet.counts.suspended);
  $('count-paused').textContent = String(fleet.counts.paused);
  $('count-offboarded').textContent = String(fleet.counts.offboarded);
  document.querySelector('.card-degraded').classList.toggle('alarm', fleet.counts.degraded > 0);
  $('last-pass').textContent = fleet.lastPass
    ? `${age(fleet.lastPass.at)} · ${(fleet.lastPass.durationMs / 1000).toFixed(1)}s · ${fleet.lastPass.changes} change(s)`
    : 'no full pass yet';
  $('applied-revision').textContent = fleet.appliedRevision ? fleet.appliedRevision.revision : '–';
  $('provider').textContent = fleet.provider ? `provider ${fleet.provider.name}${fleet.provider.region ? ` · ${fleet.provider.region}` : ''} ·` : '';
  const number = (n) => (n === undefined || n === null ? 'unknown' : n.toLocaleString('en-US'));
  fill($('headroom-table'), (fleet.headroom ? fleet.headroom.rows : []).map((q) => el('tr', { className: q.crosses || (q.headroom !== undefined && q.headroom < 0) ? 'warning' : '' },
    el('td', {}, q.description), el('td', {}, number(q.after ?? q.used)), el('td', {}, number(q.limit)),
    el('td', {}, q.headroom === undefined ? 'unknown' : `${number(q.headroom)}${q.limit ? ` (${Math.round((100 * q.headroom) / q.limit)}%)` : ''}`),
    el('td', { className: 'message' }, q.source))), 5);
  const rejected = $('rejected');
  const warnings = [];
  if (fleet.rejectedRevision) warnings.push(`Revision ${fleet.rejectedRevision.revision} was rejected; ${fleet.appliedRevision ? fleet.appliedRevision.revision : 'the last good revision'} stays in force. ${fleet.rejectedRevision.reason}`);
  if (fleet.sourceError) warnings.push(`The manifest source could not be read (${age(fleet.sourceError.at)}): ${fleet.sourceError.message}`);
  if (fleet.awsReachable && fleet.awsReachable.status === 'False') warnings.push(`AWS unreachable (${age(fleet.awsReachable.lastTransitionTime)}): ${fleet.awsReachable.message}`);
  rejected.hidden = warnings.length === 0;
  rejected.replaceChildren(...warnings.map((w) => el('p', {}, w)));
}

/** /api/notifications: each channel's counts and last error, and its last deliveries (never a channel's address). */
function renderNotifications(answer) {
  const channels = answer ? answer.channels : [];
  $('notify-note').textContent = answer ? (channels.length === 0 ? 'No NotificationChannel is declared.' : '') : 'Notification status unavailable.';
  const failing = (c) => c.failed > 0 || c.dropped > 0 || (c.pending > 0 && c.lastError);
  fill($('notify-channels'), channels.map((c) => el('tr', { className: failing(c) ? 'warning' : '', 'data-channel': c.channel },
    el('td', {}, c.channel, c.declared ? null : el('span', { className: 'badge badge-muted' }, 'no longer declared')), el('td', {}, c.type || '–'),
    el('td', {}, String(c.pending)), el('td', {}, String(c.delivered)), el('td', {}, String(c.failed)), el('td', {}, String(c.dropped)),
    el('td', { title: c.lastDeliveredAt || '' }, age(c.lastDeliveredAt)),
    el('td', { className: 'message', title: c.lastErrorAt || '' }, c.lastError ? `${c.lastError} (${age(c.lastErrorAt)})` : ''))), 8);
  const recent = channels.flatMap((c) => (c.recent || []).map((r) => ({ ...r, channel: c.channel })))
    .sort((a, b) => Date.parse(b.at || 0) - Date.parse(a.at || 0));
  fill($('notify-recent'), recent.map((r) => el('tr', { className: r.state === 'failed' || r.state === 'dropped' ? 'warning' : '', 'data-channel': r.channel, 'data-state': r.state },
    el('td', { title: r.at || '' }, age(r.at)), el('td', {}, r.channel), el('td', { title: r.title }, r.event), el('td', {}, r.tenant || '–'),
    el('td', {}, el('span', { className: `badge badge-${r.state === 'delivered' ? 'good' : r.state === 'pending' ? 'unknown' : 'bad'}` }, r.state)),
    el('td', {}, String(r.attempts)), el('td', { className: 'message' }, r.error || ''))), 7);
}

function matches(tenant, text, state) {
  if (state === 'degraded' && tenant.degraded !== 'True') return false;
  if (state === 'not-ready' && tenant.ready === 'True') return false;
  if (state === 'suspended' && tenant.suspended !== 'True') return false;
  if (!text) return true;
  const states = [tenant.ready === 'True' ? 'ready' : 'not-ready', tenant.degraded === 'True' ? 'degraded' : '', tenant.suspended === 'True' ? 'suspended' : '', tenant.paused === 'True' ? 'paused' : ''];
  const haystack = [tenant.name, tenant.displayName, tenant.tier, tenant.isolation, tenant.message, tenant.lifecycle, ...states].filter(Boolean).join(' ').toLowerCase();
  return text.toLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

function renderList() {
  const text = $('filter').value.trim();
  const state = $('state').value;
  const shown = tenants.filter((t) => matches(t, text, state));
  const rows = shown.map((t) => {
    const degraded = t.degraded === 'True';
    const name = el('td', { className: 'name' },
      el('a', { href: `#/tenants/${encodeURIComponent(t.name)}` }, t.name),
      degraded ? el('span', { className: 'badge badge-bad degraded-badge' }, 'Degraded') : null,
      t.suspended === 'True' ? el('span', { className: 'badge badge-muted' }, 'Suspended') : null,
      t.paused === 'True' ? el('span', { className: 'badge badge-muted' }, 'Paused') : null,
      t.offboarded === 'True' ? el('span', { className: 'badge badge-muted' }, 'Offboarded') : null,
      t.integrationsReady === 'False' ? el('span', { className: 'badge badge-bad integrations-badge', title: t.message || '' }, 'Integrations') : null,
      t.displayName ? el('div', { className: 'muted small' }, t.displayName) : null);
    return el('tr', { className: `tenant-row${degraded ? ' degraded' : ''}`, 'data-tenant': t.name },
      name,
      el('td', {}, t.tier || '–'),
      el('td', { className: 'isolation' }, t.isolation || '–'),
      el('td', {}, badge(t.ready, 'Ready')),
      el('td', {}, badge(t.synced, 'Synced')),
      el('td', { className: 'message' }, t.lastError || ''),
      el('td', { title: t.lastReconcileAt || '' }, age(t.lastReconcileAt)),
      el('td', { title: t.nextRun ? t.nextRun.at : '' }, t.nextRun ? `${t.nextRun.agent} ${age(t.nextRun.at)}` : '–'));
  });
  fill($('tenants'), rows, 8);
  $('shown').textContent = `${shown.length} of ${tenants.length} shown`;
}

// ---- detail ----

function fact(term, value) {
  return [el('dt', {}, term), el('dd', {}, value === null || value === undefined || value === '' ? '–' : String(value))];
}

function renderDetail(t) {
  $('detail-name').replaceChildren(t.name, t.degraded === 'True' ? el('span', { className: 'badge badge-bad degraded-badge' }, 'Degraded') : '');
  $('detail').classList.toggle('degraded', t.degraded === 'True');
  $('detail-facts').replaceChildren(
    ...fact('Display name', t.displayName), ...fact('Tier', t.tier), ...fact('Isolation', t.isolation), ...fact('Lifecycle', t.lifecycle),
    ...fact('Observed revision', t.observedRevision), ...fact('Generation', `${t.generation ?? '–'} (observed ${t.observedGeneration ?? '–'})`),
    ...fact('Migration version', t.migration.version === null ? null : `${t.migration.version}${t.migration.latest !== null ? ` of ${t.migration.latest}` : ''}`),
    ...fact('Provider', t.provider), ...fact('Last reconcile', t.lastReconcileAt ? `${t.lastReconcileAt} (${age(t.lastReconcileAt)})` : null),
    ...fact('Last error', t.lastError), ...(t.rejectedRevision ? fact('Rejected revision', `${t.rejectedRevision}: ${t.rejectedReason || ''}`) : []));
  fill($('detail-conditions'), t.conditions.map((c) => el('tr', { className: c.type === 'Degraded' && c.status === 'True' ? 'degraded' : '' },
    el('td', {}, c.type), el('td', {}, badge(c.status, c.type)), el('td', {}, c.reason), el('td', { title: c.lastTransitionTime }, age(c.lastTransitionTime)), el('td', { className: 'message' }, c.message))), 5);
  fill($('detail-resources'), t.resources.map((r) => el('tr', { className: r.state === 'Failed' ? 'degraded' : '' },
    el('td', {}, r.kind), el('td', {}, r.name), el('td', {}, el('span', { className: `badge badge-${r.state === 'Ready' ? 'good' : r.state === 'Failed' ? 'bad' : 'unknown'}` }, r.state)), el('td', { className: 'message' }, r.message || ''))), 4);
  fill($('detail-integrations'), t.integrations.map((i) => el('tr', { className: i.state === 'ReauthorizationRequired' ? 'degraded' : '', 'data-provider': i.provider },
    el('td', {}, i.provider), el('td', {}, el('span', { className: `badge badge-${i.connected ? 'good' : i.state === 'ReauthorizationRequired' ? 'bad' : 'unknown'}` }, i.state)),
    el('td', {}, i.account || '–'), el('td', { className: 'small' }, i.scopes.join(' ') || '–'),
    el('td', { title: i.connectedAt || '' }, i.connectedAt ? age(i.connectedAt) : '–'), el('td', { title: i.lastRefreshAt || '' }, i.lastRefreshAt ? age(i.lastRefreshAt) : '–'),
    el('td', { className: 'message' }, i.message || ''))), 7);
  fill($('detail-agents'), t.agents.map((a) => el('tr', {},
    el('td', {}, a.name), el('td', {}, el('code', {}, a.schedule)), el('td', {}, a.timezone),
    el('td', { title: a.nextRunAt || '' }, a.nextRunAt ? age(a.nextRunAt) : a.active ? '–' : 'not active'),
    el('td', {}, a.lastRun ? `${a.lastRun.status} ${age(a.lastRun.scheduledAt)}` : '–'))), 5);
  fill($('detail-runs'), t.runs.map((r) => el('tr', { className: r.status === 'failed' ? 'degraded' : '' },
    el('td', {}, r.agent), el('td', {}, r.trigger), el('td', {}, r.status), el('td', { title: r.scheduledAt }, age(r.scheduledAt)),
    el('td', {}, r.durationMs === null ? '–' : `${(r.durationMs / 1000).toFixed(1)}s`), el('td', {}, r.exitCode === null ? '–' : String(r.exitCode)),
    el('td', { className: 'message' }, r.reason || ''))), 7);
  fill($('detail-events'), t.events.map((e) => el('tr', { className: e.type === 'Warning' ? 'warning' : '' },
    el('td', {}, e.type), el('td', {}, e.reason), el('td', { title: e.at }, age(e.at)), el('td', {}, e.resource || '–'), el('td', { className: 'message' }, e.message))), 5);
}

/** The last digest the tenant was sent (the local outbox), as a download: never rendered on this page. */
function renderDigest(digest) {
  $('detail-digest').replaceChildren(digest
    ? el('a', { href: digest.href, download: '' }, `${digest.name}`)
    : 'none sent yet', digest ? el('span', { className: 'muted small' }, ` ${Math.ceil(digest.bytes / 1024)} KB, ${age(digest.writtenAt)}`) : '');
}

// ---- routing and refresh ----

function route() {
  const hash = location.hash.replace(/^#/, '');
  const match = /^\/tenants\/([^/]+)$/.exec(hash) || (!hash && /^\/tenants\/([^/]+)$/.exec(location.pathname));
  return match ? decodeURIComponent(match[1]) : undefined;
}

async function refresh() {
  clearTimeout(timer);
  const tenant = route();
  $('list-view').hidden = Boolean(tenant);
  $('fleet').hidden = Boolean(tenant);
  $('notifications').hidden = Boolean(tenant);
  $('detail').hidden = !tenant;
  try {
    if (tenant) {
      const [detail, digest] = await Promise.all([
        getJson(`/api/tenants/${encodeURIComponent(tenant)}`), getJson(`/api/tenants/${encodeURIComponent(tenant)}/digests/last`),
      ]);
      renderDetail(detail);
      renderDigest(digest.digest);
      renderTenantActions(detail);
    } else {
      const [fleet, list, notifications] = await Promise.all([getJson('/api/fleet'), getJson('/api/tenants'), getJson('/api/notifications').catch(() => null)]);
      tenants = list.tenants;
      renderFleet(fleet);
      renderList();
      renderNotifications(notifications);
      $('fleet-actions').replaceChildren(...(canAct() ? [button('Refresh source', 'refresh', '/api/source/refresh')] : []));
    }
    $('error').hidden = true;
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.loaded = 'true';
  } catch (error) {
    $('error').hidden = false;
    $('error').textContent = tenant && error.status === 404 ? `No tenant named ${tenant}.` : `Could not refresh: ${error.message}`;
  } finally {
    timer = setTimeout(refresh, REFRESH_MS);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('filter').addEventListener('input', renderList);
  $('state').addEventListener('change', renderList);
  window.addEventListener('hashchange', refresh);
  loadMe().then(refresh);
});
