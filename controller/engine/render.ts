import { ANNOTATIONS } from '../manifests/semantic.js';
import { formatForecastRow, forecastMarkdown } from './quota.js';
import { countChanges, type ChangeBase, type Offboarding, type Plan } from './types.js';

/** A tenant's changes, or the fleet-wide ones (named `shared`), as the renderers list them. */
interface Section {
  /** The tenant, or `shared`. */
  name: string;
  fleet: boolean;
  changes: readonly ChangeBase[];
  errors: readonly { kind: string; message: string }[];
  offboarding?: Offboarding;
  paused?: boolean;
}

function sections(plan: Plan): Section[] {
  const fleet: Section[] = plan.fleet.changes.length + plan.fleet.errors.length > 0
    ? [{ name: 'shared', fleet: true, changes: plan.fleet.changes, errors: plan.fleet.errors }]
    : [];
  return [...fleet, ...plan.tenants.map((t): Section => ({ name: t.tenant, fleet: false, changes: t.changes, errors: t.errors, offboarding: t.offboarding, paused: t.paused }))];
}

const SYMBOL: Record<ChangeBase['action'], string> = { create: '+', update: '~', delete: '-', noop: ' ' };

/** `tenantctl plan` as text: per tenant, `+` create, `~` update (with the fields), `-` delete; drift apart. */
export function renderPlanText(plan: Plan): string {
  const lines: string[] = [];
  const counts = countChanges(plan);
  lines.push(`Plan for revision ${plan.revision ?? '(unknown)'}: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete${counts.destructive ? ` (${counts.destructive} destructive)` : ''}.`);
  for (const tenant of sections(plan)) {
    const { intended, drift } = split(tenant);
    const conflicts = tenant.changes.filter((c) => c.conflict);
    if (intended.length + drift.length + conflicts.length + tenant.errors.length === 0) continue;
    const notes = [tenant.offboarding ? offboardingText(tenant.offboarding) : '', tenant.paused ? `paused (${ANNOTATIONS.paused}): reported, not applied` : ''].filter(Boolean);
    lines.push('', `${tenant.fleet ? 'shared resources' : `tenant ${tenant.name}`}${notes.length ? ` (${notes.join('; ')})` : ''}:`);
    for (const change of intended) lines.push(`  ${changeLine(change)}`);
    if (drift.length > 0) {
      lines.push(`  drift (live state differs from what was applied; ${tenant.paused ? 'not corrected while paused' : 'will be corrected'}):`);
      for (const change of drift) lines.push(`    ${changeLine(change)}`);
    }
    for (const change of conflicts) lines.push(`  ! ${change.kind} ${change.resource}: ${change.conflict}`);
    for (const error of tenant.errors) lines.push(`  ! ${error.message}`);
  }
  for (const held of plan.held) lines.push('', `held: tenant ${held.tenant}: ${held.reason}`);
  if (plan.held.length > 0) lines.push(`  to confirm: ${confirmHint(plan)}`);
  for (const held of plan.quotaHeld) lines.push('', `held for a quota: tenant ${held.tenant}: ${held.reason}`);
  if (plan.forecast) lines.push('', 'Account headroom:', ...plan.forecast.rows.map((row) => `  ${formatForecastRow(row)}`));
  if (counts.create + counts.update + counts.delete === 0 && plan.held.length + plan.quotaHeld.length === 0) lines.push('', 'No changes. The live state matches the manifests.');
  return `${lines.join('\n')}\n`;
}

function changeLine(change: ChangeBase): string {
  const fields = change.action === 'update' && change.fields.length ? ` (${change.fields.join(', ')})` : '';
  return `${SYMBOL[change.action]} ${change.kind} ${change.resource}${fields}${change.destructive ? '  [DESTRUCTIVE]' : ''}`;
}

/**
 * A pull-request comment: the revision, counts, then what takes a customer down first
 * (destructive changes and offboarded tenants), deletions the guard holds, the other
 * intended changes, paused tenants, and drift in the live state apart, folded.
 */
export function renderPlanMarkdown(plan: Plan): string {
  const tenants = sections(plan);
  const intended = tenants.flatMap((t) => split(t).intended);
  const count = (action: ChangeBase['action']) => intended.filter((c) => c.action === action).length;
  const destructive = intended.filter((c) => c.destructive).length;
  const out: string[] = [`### tenantctl plan for ${revisionLabel(plan.revision)}`, ''];

  // The counts are of what the change intends; drift in the live state is counted apart.
  const offboarded = tenants.filter((t) => t.offboarding);
  const touched = tenants.filter((t) => !t.fleet && split(t).intended.length > 0);
  const driftCount = tenants.reduce((n, t) => n + split(t).drift.length, 0);
  out.push([
    `**${count('create')}** to create`, `**${count('update')}** to update`, `**${count('delete')}** to delete`,
    ...(destructive ? [`:warning: **${destructive} destructive**`] : []),
    `${touched.length} tenant(s) changed${offboarded.length ? `, ${offboarded.length} offboarded` : ''}${plan.held.length ? `, **${plan.held.length} held**` : ''}`,
    ...(driftCount ? [`${driftCount} drift`] : []),
  ].join(' · '), '');

  // Destructive first: tenants being taken down, then any other change that loses data or access.
  const takenDown = offboarded.filter((t) => split(t).intended.length > 0);
  const otherDestructive = tenants.filter((t) => !t.offboarding).flatMap((t) => split(t).intended.filter((c) => c.destructive).map((c) => ({ c, name: t.name })));
  if (takenDown.length + otherDestructive.length > 0) {
    out.push('#### :warning: Destructive changes and offboarding', '');
    for (const tenant of takenDown) {
      out.push(`- **\`${tenant.name}\`** ${offboardingText(tenant.offboarding!)}${tenant.offboarding!.purge ? ' :warning:' : ''}`);
      out.push(...split(tenant).intended.map((c) => `  - ${changeItem(c)}`));
    }
    out.push(...otherDestructive.map(({ c, name }) => `- \`${name}\` ${changeItem(c)}`), '');
  }

  if (plan.held.length > 0) {
    out.push('#### :no_entry: Held by the mass-deletion guard', '', `> ${plan.held[0].reason}`, '');
    out.push(`Held: ${plan.held.map((h) => `\`${h.tenant}\``).join(', ')}. Nothing is changed for them until an operator confirms: ${confirmHint(plan, true)}.`, '');
  }

  if (plan.quotaHeld.length > 0) {
    out.push('#### :no_entry: Held: the account has no room', '', `> ${plan.quotaHeld[0].reason}`, '');
    out.push(`Held: ${plan.quotaHeld.map((h) => `\`${h.tenant}\``).join(', ')}. Nothing is changed for them until the account has room (raise the quota, or ask less).`, '');
  }
  if (plan.forecast) out.push(...forecastMarkdown(plan.forecast));

  const rest = tenants.filter((t) => !t.offboarding).flatMap((t) => split(t).intended.filter((c) => !c.destructive).map((c) => ({ c, name: t.name, paused: t.paused })));
  if (rest.length > 0) {
    out.push('#### Changes', '', '| tenant | change | resource | fields |', '| --- | --- | --- | --- |');
    for (const { c, name, paused } of rest) {
      out.push(`| \`${name}\`${paused ? ' (paused)' : ''} | \`${SYMBOL[c.action]}\` ${c.action} | ${c.kind} \`${c.resource}\` | ${c.fields.join(', ')} |`);
    }
    out.push('');
  }

  const paused = tenants.filter((t) => t.paused && (t.changes.some((c) => c.action !== 'noop')));
  if (paused.length > 0) {
    out.push('#### :pause_button: Paused', '', `${paused.map((t) => `\`${t.name}\``).join(', ')}: \`${ANNOTATIONS.paused}: "true"\`; the changes above are reported and not applied until the annotation is removed.`, '');
  }

  const drift = tenants.flatMap((t) => split(t).drift.map((c) => ({ c, name: t.name })));
  if (drift.length > 0) {
    out.push(`<details><summary>Drift in the live state: ${drift.length} change(s), not part of this pull request; the controller corrects it</summary>`, '');
    out.push(...drift.map(({ c, name }) => `- \`${name}\` ${changeItem(c)}`), '', '</details>', '');
  }

  const conflicts = tenants.flatMap((t) => t.changes.filter((c) => c.conflict).map((c) => ({ c, name: t.name })));
  const errors = tenants.flatMap((t) => t.errors.map((e) => ({ name: t.name, ...e })));
  if (conflicts.length + errors.length > 0) {
    out.push('#### Problems', '', ...conflicts.map(({ c, name }) => `- \`${name}\` ${c.conflict}`), ...errors.map((e) => `- \`${e.name}\` ${e.message}`), '');
  }
  if (intended.length + drift.length === 0 && plan.held.length + plan.quotaHeld.length === 0) out.push('No changes. The live state matches the manifests.', '');
  return out.join('\n');
}

/** JSON for machines: the same plan object `apply` executes, without module-private details. */
export function planJson(plan: Plan): Record<string, unknown> {
  const printable = <C extends ChangeBase>(changes: readonly C[]) => changes.filter((c) => c.action !== 'noop' || c.conflict).map(({ detail: _detail, ...c }) => c);
  return { ...plan, summary: countChanges(plan), fleet: { ...plan.fleet, changes: printable(plan.fleet.changes) }, tenants: plan.tenants.map((t) => ({ ...t, changes: printable(t.changes) })) };
}

function split(tenant: Section): { intended: ChangeBase[]; drift: ChangeBase[] } {
  const live = tenant.changes.filter((c) => c.action !== 'noop');
  return { intended: live.filter((c) => !c.drift), drift: live.filter((c) => c.drift) };
}

function changeItem(change: ChangeBase): string {
  const fields = change.action === 'update' && change.fields.length ? ` (${change.fields.join(', ')})` : '';
  return `\`${SYMBOL[change.action]}\` ${change.kind} \`${change.resource}\`${fields}${change.destructive ? ' **destructive**' : ''}`;
}

function offboardingText(offboarding: Offboarding): string {
  if (offboarding.purge) return 'is purged: manifest removed, deletion policy Delete and its grace period is over; its data is erased (an audit record is written)';
  return offboarding.policy === 'Delete'
    ? 'is offboarded: manifest removed, deletion policy Delete; access is revoked now and its data purged after the grace period'
    : 'is offboarded: manifest removed, deletion policy Retain; schedules stop and access is revoked, every byte of data is kept';
}

/** A commit as `abc1234` (with the full SHA), anything else as it is. */
function revisionLabel(revision: string | undefined): string {
  if (!revision) return 'the working tree';
  return /^[0-9a-f]{40,64}$/.test(revision) ? `commit \`${revision.slice(0, 7)}\` (\`${revision}\`)` : `\`${revision}\``;
}

function confirmHint(plan: Plan, markdown = false): string {
  const revision = plan.revision ?? 'REVISION';
  const code = (text: string) => (markdown ? `\`${text}\`` : text);
  return `${code(`tenantctl confirm-deletion ${revision}`)}, or the annotation ${code(`${ANNOTATIONS.confirmDeletion}: "${revision}"`)} on a remaining tenant`;
}
