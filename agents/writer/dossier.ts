/** Pure: a sales dossier for one lead, as markdown. */
export interface DossierLead {
  id: number;
  name: string;
  company: string;
  email: string | null;
  score: number;
}

export interface DossierEvent {
  kind: string;
  occurredAt: Date;
}

export function dossierKey(prefix: string, leadId: number): string {
  return `${prefix}dossiers/lead-${leadId}.md`;
}

export function composeDossier(lead: DossierLead, events: readonly DossierEvent[], summary: string, at: Date): string {
  const lines = [
    `# Dossier: ${lead.name}, ${lead.company}`,
    '',
    `- Intent score: ${lead.score}`,
    `- Contact: ${lead.email ?? 'unknown'}`,
    `- Prepared: ${at.toISOString()}`,
    '',
    '## Briefing',
    '',
    summary || 'No signals yet.',
    '',
    `## Signals (${events.length})`,
    '',
    ...events.map((e) => `- ${e.occurredAt.toISOString().slice(0, 10)} ${e.kind.replaceAll('_', ' ')}`),
  ];
  if (events.length === 0) lines.push('None recorded.');
  return `${lines.join('\n')}\n`;
}
