import { describeTenant, isTenantName, listTenants, type TenantDetail } from '../status/views.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withStore } from './context.js';
import { age, duration, renderTable } from './status.js';
import { UsageError } from '../../contract/errors.js';

const usage = 'tenantctl describe <tenant> [--output text|json]';

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show one tenant in detail: conditions, resources, events (newest first), agent runs',
  usage,
  options: OUTPUT_OPTION,
  maxPositionals: 1,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'json'] as const, usage);
    const name = args.positionals[0];
    if (!name) throw new UsageError(`a tenant name is required\nusage: ${usage}`);
    return withStore(io, async (ctx) => {
      const reader = { pool: ctx.pool, store: ctx.store };
      const detail = isTenantName(name) ? await describeTenant(reader, name) : undefined;
      if (!detail) {
        const known = (await listTenants(reader)).map((t) => t.name);
        io.stderr(`tenantctl describe: no tenant named ${JSON.stringify(name)} in the status store${known.length ? ` (known: ${known.join(', ')})` : ' (it holds no tenant yet)'}\n`);
        return EXIT.failure;
      }
      io.stdout(format === 'json' ? `${JSON.stringify(detail, null, 2)}\n` : renderDescribe(detail, Date.now()));
      return EXIT.ok;
    });
  },
};

/** Pure: the text of `tenantctl describe`, laid out like `kubectl describe`. */
export function renderDescribe(t: TenantDetail, now: number): string {
  const when = (iso: string | null | undefined) => (iso ? `${iso} (${age(iso, now)})` : '<none>');
  const ago = (iso: string | null | undefined) => (iso ? duration(Math.max(0, now - Date.parse(iso))) : '-');
  const field = (label: string, value: string) => `${`${label}:`.padEnd(20)}${value}`;
  const section = (title: string, header: string[], rows: string[][]) => [`${title}:`, ...(rows.length ? renderTable([header, header.map((h) => '-'.repeat(h.length)), ...rows], '  ') : ['  <none>'])];
  const lines = [
    field('Name', t.name),
    field('Display Name', t.displayName ?? '<none>'),
    field('Tier', t.tier ?? '<unknown>'),
    field('Isolation', t.isolation ?? '<unknown>'),
    field('Lifecycle', t.lifecycle ?? '<unknown>'),
    field('Revision', `${t.observedRevision ?? '<none>'} (generation ${t.generation ?? '-'}, observed ${t.observedGeneration ?? '-'})`),
    field('Provider', t.provider ?? '<unknown>'),
    field('Migration Version', `${t.migration.version ?? '-'}${t.migration.latest !== null ? ` (latest ${t.migration.latest})` : ''}`),
    field('Last Reconcile', when(t.lastReconcileAt)),
    field('Last Error', t.lastError ? `${t.lastError}${t.terminal ? ' (terminal: not retried until the manifest changes)' : ''}` : '<none>'),
  ];
  if (t.rejectedRevision) lines.push(field('Rejected Revision', `${t.rejectedRevision}: ${t.rejectedReason ?? ''}`));
  lines.push(
    ...section('Conditions', ['Type', 'Status', 'Reason', 'Age', 'Message'], t.conditions.map((c) => [c.type, c.status, c.reason, ago(c.lastTransitionTime), c.message])),
    ...section('Resources', ['Kind', 'Name', 'State', 'Message'], t.resources.map((r) => [r.kind, r.name, r.state, r.message ?? ''])),
    ...section('Integrations', ['Provider', 'State', 'Account', 'Scopes', 'Connected', 'Last Refresh', 'Message'], t.integrations.map((i) => [
      i.provider, i.state, i.account ?? '-', i.scopes.join(' ') || '-', i.connectedAt ? age(i.connectedAt, now) : '-', i.lastRefreshAt ? age(i.lastRefreshAt, now) : '-', i.message ?? '',
    ])),
    ...section('Agents', ['Name', 'Schedule', 'Timezone', 'Next Run', 'Last Run'], t.agents.map((a) => [
      a.name, a.schedule, a.timezone, a.nextRunAt ? `${a.nextRunAt} (${age(a.nextRunAt, now)})` : a.active ? '-' : 'not active',
      a.lastRun ? `${a.lastRun.status} ${age(a.lastRun.scheduledAt, now)}` : '-',
    ])),
    ...section('Agent Runs', ['Agent', 'Trigger', 'Status', 'Scheduled', 'Duration', 'Exit', 'Task', 'Reason'], t.runs.map((r) => [
      r.agent, r.trigger, r.status, `${r.scheduledAt} (${age(r.scheduledAt, now)})`, r.durationMs === null ? '-' : duration(r.durationMs),
      r.exitCode === null ? '-' : String(r.exitCode), r.taskArn ?? '-', r.reason ?? '',
    ])),
    ...section('Events', ['Type', 'Reason', 'Age', 'Resource', 'Message'], t.events.map((e) => [e.type, e.reason, ago(e.at), e.resource ?? '-', e.message])),
    ...section('Operator Actions', ['Action', 'Target', 'Result', 'Who', 'Role', 'Via', 'Age', 'Revision', 'Message'], t.audit.map((a) => [
      a.action, a.target, a.result, a.actor, a.role, a.via, ago(a.at), a.revision ?? '-', a.message ?? '',
    ])),
  );
  return `${lines.join('\n')}\n`;
}
