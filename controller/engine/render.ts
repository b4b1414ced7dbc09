import { countChanges, PLATFORM, type Change, type Plan } from './types.js';

const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', delete: '-', noop: ' ' };

/** `tenantctl plan` as text: per tenant, `+` create, `~` update (with the fields), `-` delete; drift apart. */
export function renderPlanText(plan: Plan): string {
  const lines: string[] = [];
  const counts = countChanges(plan);
  lines.push(`Plan for revision ${plan.revision ?? '(unknown)'}: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete${counts.destructive ? ` (${counts.destructive} destructive)` : ''}.`);
  for (const tenant of plan.tenants) {
    const intended = tenant.changes.filter((c) => c.action !== 'noop' && !c.drift);
    const drift = tenant.changes.filter((c) => c.action !== 'noop' && c.drift);
    const conflicts = tenant.changes.filter((c) => c.conflict);
    if (intended.length + drift.length + conflicts.length + tenant.errors.length === 0) continue;
    lines.push('', tenant.tenant === PLATFORM ? 'shared resources:' : `tenant ${tenant.tenant}:`);
    for (const change of intended) lines.push(`  ${changeLine(change)}`);
    if (drift.length > 0) {
      lines.push('  drift (live state differs from what was applied; will be corrected):');
      for (const change of drift) lines.push(`    ${changeLine(change)}`);
    }
    for (const change of conflicts) lines.push(`  ! ${change.kind} ${change.resource}: ${change.conflict}`);
    for (const error of tenant.errors) lines.push(`  ! ${error.message}`);
  }
  for (const held of plan.held) lines.push('', `held: tenant ${held.tenant}: ${held.reason}`);
  if (counts.create + counts.update + counts.delete === 0 && plan.held.length === 0) lines.push('', 'No changes. The live state matches the manifests.');
  return `${lines.join('\n')}\n`;
}

function changeLine(change: Change): string {
  const fields = change.action === 'update' && change.fields.length ? ` (${change.fields.join(', ')})` : '';
  return `${SYMBOL[change.action]} ${change.kind} ${change.resource}${fields}${change.destructive ? '  [DESTRUCTIVE]' : ''}`;
}

/** A summary fit for a pull-request comment: counts first, destructive changes first, drift apart. */
export function renderPlanMarkdown(plan: Plan): string {
  const counts = countChanges(plan);
  const all = plan.tenants.flatMap((t) => t.changes.filter((c) => c.action !== 'noop'));
  const intended = all.filter((c) => !c.drift);
  const drift = all.filter((c) => c.drift);
  const out: string[] = [`### tenantctl plan for \`${plan.revision ?? 'working tree'}\``, ''];
  out.push(`**${counts.create}** to create · **${counts.update}** to update · **${counts.delete}** to delete${counts.destructive ? ` · :warning: **${counts.destructive} destructive**` : ''}${drift.length ? ` · ${drift.length} drift` : ''}`, '');
  const destructive = intended.filter((c) => c.destructive);
  if (destructive.length > 0) {
    out.push('#### :warning: Destructive changes', '', ...destructive.map((c) => `- \`${c.tenant}\` ${SYMBOL[c.action]} ${c.kind} \`${c.resource}\``), '');
  }
  if (plan.held.length > 0) {
    out.push('#### :no_entry: Held by the mass-deletion guard', '', `${plan.held[0].reason}. Tenants: ${plan.held.map((h) => `\`${h.tenant}\``).join(', ')}.`, '');
  }
  const byTenant = groupBy(intended.filter((c) => !c.destructive), (c) => c.tenant);
  if (byTenant.size > 0) {
    out.push('#### Changes', '', '| tenant | change | resource | fields |', '| --- | --- | --- | --- |');
    for (const [tenant, changes] of byTenant) {
      for (const c of changes) out.push(`| \`${tenant === PLATFORM ? 'shared' : tenant}\` | ${SYMBOL[c.action]} ${c.action} | ${c.kind} \`${c.resource}\` | ${c.fields.join(', ')} |`);
    }
    out.push('');
  }
  if (drift.length > 0) {
    out.push('<details><summary>Drift in the live state (not part of this change; the controller will correct it)</summary>', '');
    out.push(...drift.map((c) => `- \`${c.tenant === PLATFORM ? 'shared' : c.tenant}\` ${SYMBOL[c.action]} ${c.kind} \`${c.resource}\` ${c.fields.join(', ')}`), '', '</details>', '');
  }
  const conflicts = plan.tenants.flatMap((t) => t.changes.filter((c) => c.conflict));
  const errors = plan.tenants.flatMap((t) => t.errors.map((e) => ({ tenant: t.tenant, ...e })));
  if (conflicts.length + errors.length > 0) {
    out.push('#### Problems', '', ...conflicts.map((c) => `- \`${c.tenant}\` ${c.conflict}`), ...errors.map((e) => `- \`${e.tenant}\` ${e.message}`), '');
  }
  if (all.length === 0 && plan.held.length === 0) out.push('No changes. The live state matches the manifests.', '');
  return out.join('\n');
}

/** JSON for machines: the same plan object `apply` executes, without module-private details. */
export function planJson(plan: Plan): unknown {
  return { ...plan, summary: countChanges(plan), tenants: plan.tenants.map((t) => ({ ...t, changes: t.changes.filter((c) => c.action !== 'noop' || c.conflict).map(({ detail: _detail, ...c }) => c) })) };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}
