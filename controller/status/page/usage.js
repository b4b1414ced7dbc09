// The usage view of the ops page: a fleet table of this month's cost, price and margin (sortable,
// tenants past the alert share highlighted), and in a tenant's detail a per-day chart of cost by
// meter, drawn as SVG, with the cost per meter. Reads /api/usage and /api/tenants/{name}/usage.
// Every piece of data goes in as text or as an attribute, never as HTML.
'use strict';

(() => {
  const REFRESH_MS = 10000;
  const SVG = 'http://www.w3.org/2000/svg';
  const METERS = ['model_input_tokens', 'model_output_tokens', 'fargate_vcpu_seconds', 'fargate_gb_seconds', 'emails_sent', 'connector_items', 'run_seconds'];
  const $ = (id) => document.getElementById(id);
  let timer;
  // Only the latest request renders: a slower answer to an earlier one (another sort) is dropped.
  let latest = 0;

  function node(tag, attrs, ...children) {
    const element = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'className') element.setAttribute('class', value);
      else element.setAttribute(key, String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return element;
  }

  const usd = (value) => {
    const abs = Math.abs(value);
    return `${value < 0 ? '-' : ''}$${abs.toFixed(abs === 0 || abs >= 0.01 ? 2 : 6)}`;
  };
  const percent = (share) => `${(share * 100).toFixed(1)}%`;
  const quantity = (n) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(3));

  async function getJson(path) {
    const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `${path}: HTTP ${response.status}`);
    return body;
  }

  function tenantRoute() {
    const hash = location.hash.replace(/^#/, '');
    const match = /^\/tenants\/([^/]+)$/.exec(hash) || (!hash && /^\/tenants\/([^/]+)$/.exec(location.pathname));
    return match ? decodeURIComponent(match[1]) : undefined;
  }

  function renderFleet(usage) {
    $('usage-note').textContent = `list prices of ${usage.pricesTakenOn}; highlighted: cost above ${Math.round(usage.alertShare * 100)}% of price · total cost ${usd(usage.totals.costUsd)}, margin ${usd(usage.totals.marginUsd)}`;
    const rows = usage.tenants.map((t) => node('tr', { className: `usage-row${t.overShare ? ' over-share' : ''}`, 'data-tenant': t.tenant },
      node('td', { className: 'name' }, node('a', { href: `#/tenants/${encodeURIComponent(t.tenant)}` }, t.tenant), t.overShare ? node('span', { className: 'badge badge-bad over-share-badge' }, 'Over share') : null),
      node('td', {}, t.tier), node('td', { className: 'num cost' }, usd(t.costUsd)), node('td', { className: 'num' }, usd(t.priceUsd)),
      node('td', { className: 'num margin' }, usd(t.marginUsd)), node('td', { className: 'num share' }, percent(t.costShare)), node('td', { className: 'num' }, quantity(t.tokens))));
    $('usage-table').querySelector('tbody').replaceChildren(...(rows.length ? rows : [node('tr', { className: 'empty' }, node('td', { colspan: 7 }, 'none'))]));
  }

  /** Stacked bars: one per day, one segment per meter with a cost that day. */
  function renderChart(days) {
    const svg = $('usage-chart');
    const width = 720;
    const height = 200;
    const pad = { left: 64, right: 8, top: 8, bottom: 24 };
    const max = Math.max(0, ...days.map((d) => d.totalUsd));
    const plotHeight = height - pad.top - pad.bottom;
    const step = days.length ? (width - pad.left - pad.right) / days.length : 0;
    const children = [
      node('svg:line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, className: 'axis' }),
      node('svg:text', { x: pad.left - 6, y: pad.top + 10, 'text-anchor': 'end', className: 'axis-label' }, usd(max)),
      node('svg:text', { x: pad.left - 6, y: height - pad.bottom, 'text-anchor': 'end', className: 'axis-label' }, '$0'),
    ];
    days.forEach((day, i) => {
      let y = height - pad.bottom;
      const x = pad.left + i * step + step * 0.15;
      for (const meter of METERS) {
        const cost = day.byMeter[meter] || 0;
        if (cost <= 0 || max <= 0) continue;
        const h = (cost / max) * plotHeight;
        y -= h;
        children.push(node('svg:rect', { x: x.toFixed(2), y: y.toFixed(2), width: (step * 0.7).toFixed(2), height: h.toFixed(2), className: `bar meter-${meter}`, 'data-day': day.day, 'data-meter': meter },
          node('svg:title', {}, `${day.day} ${meter}: ${usd(cost)}`)));
      }
      if (days.length <= 31) children.push(node('svg:text', { x: (pad.left + i * step + step / 2).toFixed(2), y: height - 8, 'text-anchor': 'middle', className: 'axis-label' }, day.day.slice(8)));
    });
    if (days.length === 0) children.push(node('svg:text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', className: 'axis-label' }, 'no usage recorded this month'));
    svg.replaceChildren(...children);
    const used = METERS.filter((m) => days.some((d) => (d.byMeter[m] || 0) > 0));
    $('usage-legend').replaceChildren(...used.map((m) => node('span', { className: 'legend-item' }, node('span', { className: `swatch meter-${m}` }), m)));
  }

  function renderTenant(usage) {
    $('usage-summary').replaceChildren(
      `${usage.tier}: cost ${usd(usage.costUsd)} (usage ${usd(usage.usageUsd)}, fixed ${usd(usage.fixedUsd)}) of price ${usd(usage.priceUsd)}, margin ${usd(usage.marginUsd)}, cost ${percent(usage.costShare)} of price`,
      usage.overShare ? node('span', { className: 'badge badge-bad over-share-badge' }, 'Over share') : '');
    renderChart(usage.days);
    const rows = usage.lines.map((l) => node('tr', { 'data-meter': l.meter }, node('td', {}, l.meter), node('td', {}, l.dimension || '–'), node('td', { className: 'num' }, quantity(l.quantity)),
      node('td', { className: 'num' }, `${usd(l.costUsd)}${l.unpriced ? ' (no price)' : ''}`)));
    $('detail-usage').querySelector('tbody').replaceChildren(...(rows.length ? rows : [node('tr', { className: 'empty' }, node('td', { colspan: 4 }, 'none'))]));
  }

  async function refresh() {
    clearTimeout(timer);
    const request = ++latest;
    const tenant = tenantRoute();
    const sort = $('usage-sort').value;
    $('usage-fleet').hidden = Boolean(tenant);
    try {
      const usage = await getJson(tenant ? `/api/tenants/${encodeURIComponent(tenant)}/usage` : `/api/usage?sort=${encodeURIComponent(sort)}`);
      if (request !== latest) return;
      if (tenant) renderTenant(usage);
      else renderFleet(usage);
      document.body.dataset.usageLoaded = tenant ? `tenant:${tenant}` : `fleet:${sort}`;
    } catch (error) {
      if (request === latest) $('usage-note').textContent = `Could not read usage: ${error.message}`;
    } finally {
      if (request === latest) timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('usage-sort').addEventListener('change', refresh);
    window.addEventListener('hashchange', () => {
      delete document.body.dataset.usageLoaded;
      refresh();
    });
    refresh();
  });
})();
