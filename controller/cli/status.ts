import { fleetView, listTenants, type FleetView, type TenantSummary } from '../status/views.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withStore } from './context.js';

const usage = 'tenantctl status [--output text|json]';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show every tenant: Ready, Synced, last reconcile, next run; exit 1 when any tenant is Degraded',
  usage,
  options: OUTPUT_OPTION,
  maxPositionals: 0,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'json'] as const, usage);
    return withStore(io, async (ctx) => {
      const reader = { pool: ctx.pool, store: ctx.store };
      const tenants = await listTenants(reader);
      const fleet = await fleetView(reader, tenants);
      if (format === 'json') io.stdout(`${JSON.stringify({ fleet, tenants }, null, 2)}\n`);
      else io.stdout(renderStatus(fleet, tenants, Date.now()));
      return tenants.some((t) => t.degraded === 'True') ? EXIT.failure : EXIT.ok;
    });
  },
};

/** Pure: the text of `tenantctl status`. */
export function renderStatus(fleet: FleetView, tenants: readonly TenantSummary[], now: number): string {
  const lines: string[] = [];
  if (tenants.length === 0) {
    lines.push('No tenants in the status store yet: the controller has not reconciled any manifest.');
  } else {
    lines.push(...renderTable([
      ['TENANT', 'TIER', 'ISOLATION', 'READY', 'SYNCED', 'LAST RECONCILE', 'NEXT RUN', 'MESSAGE'],
      ...tenants.map((t) => [
        t.degraded === 'True' ? `${t.name} (Degraded)` : t.name,
        t.tier ?? '-',
        t.isolation ?? '-',
        t.ready,
        t.synced,
        t.lastReconcileAt ? age(t.lastReconcileAt, now) : '-',
        t.nextRun ? `${t.nextRun.agent} ${age(t.nextRun.at, now)}` : '-',
        truncate(t.message ?? '', 100),
      ]),
    ]));
  }
  const c = fleet.counts;
  lines.push('', `${fleet.tenants} tenant${fleet.tenants === 1 ? '' : 's'}: ${c.ready} Ready, ${c.degraded} Degraded, ${c.suspended} Suspended, ${c.paused} Paused, ${c.offboarded} Offboarded`);
  const facts: string[] = [];
  facts.push(fleet.lastPass ? `last pass ${age(fleet.lastPass.at, now)} (${(fleet.lastPass.durationMs / 1000).toFixed(1)}s, ${fleet.lastPass.changes} change(s))` : 'no full pass yet');
  facts.push(`applied revision ${fleet.appliedRevision?.revision ?? '-'}`);
  if (fleet.provider) facts.push(`provider ${fleet.provider.name}`);
  lines.push(facts.join(' · '));
  if (fleet.rejectedRevision) lines.push(`WARNING: revision ${fleet.rejectedRevision.revision} was rejected; the applied revision stays in force: ${fleet.rejectedRevision.reason}`);
  if (fleet.sourceError) lines.push(`WARNING: the manifest source could not be read ${age(fleet.sourceError.at, now)}: ${fleet.sourceError.message}`);
  if (fleet.awsReachable?.status === 'False') lines.push(`WARNING: AWS unreachable (first failed launch ${age(fleet.awsReachable.lastTransitionTime, now)}): ${fleet.awsReachable.message}`);
  return `${lines.join('\n')}\n`;
}

/** Columns padded to the widest cell, two spaces apart, trailing blanks trimmed. */
export function renderTable(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
}

/** "12s ago", "3m ago", "in 5m", "2h ago", "4d ago": kubectl's ages, with a direction. */
export function age(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const span = duration(Math.abs(ms));
  return ms >= 1000 ? `in ${span}` : `${span} ago`;
}

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 2 * 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
