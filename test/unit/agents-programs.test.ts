import { describe, expect, it } from 'vitest';
import { composeDigest, topSenders } from '../../agents/butler/digest.js';
import { eventWeight } from '../../agents/scout/score.js';
import { leadSignals, scoresFromSignals } from '../../agents/scout/signals.js';
import { topSignals } from '../../agents/butler/intent.js';
import { composeDossier, dossierKey, leadDomain } from '../../agents/writer/dossier.js';

const NOW = new Date('2025-01-06T07:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

describe('butler: the daily digest', () => {
  const messages = [
    { sender: 'ceo@acme.example', subject: 'Board deck', body: '', receivedAt: new Date('2025-01-06T06:10:00Z') },
    { sender: 'bank@example.com', subject: 'Statement', body: '', receivedAt: new Date('2025-01-06T05:00:00Z') },
    { sender: 'ceo@acme.example', subject: 'Re: Board deck', body: '', receivedAt: new Date('2025-01-06T04:00:00Z') },
  ];

  it('ranks senders by how many messages they sent', () => {
    expect(topSenders(messages)).toEqual([{ sender: 'ceo@acme.example', count: 2 }, { sender: 'bank@example.com', count: 1 }]);
  });

  it('lists the summary, the messages and the day’s calendar as markdown', () => {
    const digest = composeDigest({
      tenant: 'acme', date: '2025-01-06', messages, summary: 'The board wants the deck.',
      events: [{ title: 'Standup', startsAt: new Date('2025-01-06T09:00:00Z'), endsAt: new Date('2025-01-06T09:15:00Z'), attendees: ['dana'] }],
    });
    expect(digest).toContain('# Daily digest for acme: 2025-01-06');
    expect(digest).toContain('The board wants the deck.');
    expect(digest).toContain('## Messages (3)');
    expect(digest).toContain('- 06:10 **Board deck** from ceo@acme.example');
    expect(digest).toContain('- 09:00–09:15 Standup (dana)');
  });

  it('says so when there is nothing', () => {
    const digest = composeDigest({ tenant: 'acme', date: '2025-01-06', messages: [], events: [], summary: '' });
    expect(digest).toContain('Nothing new.');
    expect(digest).toContain('No messages.');
    expect(digest).toContain('No events.');
  });
});

describe('scout: intent scores', () => {
  it('weighs strong signals more and halves an event’s weight every 14 days', () => {
    expect(eventWeight({ kind: 'demo_request', occurredAt: NOW }, NOW)).toBe(40);
    expect(eventWeight({ kind: 'demo_request', occurredAt: daysAgo(14) }, NOW)).toBeCloseTo(20);
    expect(eventWeight({ kind: 'something_else', occurredAt: NOW }, NOW)).toBe(2);
  });

  it('scores a lead from its CRM events, its replies in the mailbox and its meetings, by hand', () => {
    const leads = [{ id: 1, email: 'ada@engines.example' }, { id: 2, email: null }, { id: 3, email: 'cy@engines.example' }];
    const signals = leadSignals(
      leads,
      [{ leadId: 1, kind: 'demo_request', occurredAt: daysAgo(14), subject: 'Demo please' }, { leadId: 2, kind: 'unsubscribe', occurredAt: NOW }],
      [{ sender: '"Ada" <ADA@engines.example>', subject: 'Re: pricing', receivedAt: daysAgo(7) }, { sender: 'bob@engines.example', subject: 'Hi', receivedAt: NOW }],
      [{ title: 'Contract call', startsAt: new Date(NOW.getTime() + 86_400_000), attendees: ['ada@engines.example', 'me@acme.example'] }],
      NOW,
    );
    // 40 halved after 14 days; 15 × 0.5^(7/14) = 10.61; a meeting still to come counts in full, 35.
    expect(signals.map((s) => [s.leadId, s.source, s.kind, s.points, s.detail])).toEqual([
      [1, 'calendar', 'meeting_booked', 35, 'meeting 2025-01-07: Contract call'],
      [1, 'crm', 'demo_request', 20, 'demo request: Demo please'],
      [1, 'mail', 'email_reply', 10.61, 'replied: Re: pricing'],
      [2, 'crm', 'unsubscribe', -30, 'unsubscribe'],
    ]);
    expect([...scoresFromSignals([1, 2, 3], signals)]).toEqual([[1, 65.61], [2, 0], [3, 0]]);
  });

  it('counts a reply once when the CRM logged the same reply that is in the mailbox', () => {
    const signals = leadSignals(
      [{ id: 1, email: 'ada@engines.example' }],
      [{ leadId: 1, kind: 'email_reply', occurredAt: new Date(NOW.getTime() - 60_000), subject: 'Re: pricing' }],
      [{ sender: 'ada@engines.example', subject: 'Re: pricing', receivedAt: NOW }, { sender: 'ada@engines.example', subject: 'Re: terms', receivedAt: daysAgo(1) }],
      [], NOW,
    );
    expect(signals.map((s) => [s.source, s.detail])).toEqual([['crm', 'email reply: Re: pricing'], ['mail', 'replied: Re: terms']]);
  });

  it('caps a score at 100', () => {
    const events = Array.from({ length: 5 }, () => ({ leadId: 1, kind: 'demo_request', occurredAt: NOW }));
    expect(scoresFromSignals([1], leadSignals([{ id: 1, email: null }], events, [], [], NOW)).get(1)).toBe(100);
  });
});

describe('butler: the intent section', () => {
  it('lists the best-scored leads with their two strongest signals and when they last engaged', () => {
    const row = (leadId: number, lead: string, score: number, detail: string, days: number) => ({ leadId, lead, company: `${lead} Co`, score, detail, occurredAt: daysAgo(days) });
    expect(topSignals([row(1, 'Ada', 65.61, 'meeting', 0), row(1, 'Ada', 65.61, 'demo request', 14), row(1, 'Ada', 65.61, 'replied', 7), row(2, 'Bob', 3, 'site visit', 2)], NOW, 1)).toEqual([
      { lead: 'Ada', company: 'Ada Co', score: 65.61, reason: 'meeting; demo request (last engaged today)' },
    ]);
  });
});

describe('writer: the dossier', () => {
  it('keys a dossier by lead under the agent prefix', () => {
    expect(dossierKey('tenants/acme/agents/writer/', 7)).toBe('tenants/acme/agents/writer/dossiers/lead-7.md');
  });

  it('has the lead’s CRM fields, the briefing, its signals, the mail with its domain and its meetings', () => {
    const text = composeDossier({
      lead: { id: 7, name: 'Ada', company: 'Engines', email: 'ada@engines.example', jobTitle: 'CTO', lifecycleStage: 'opportunity', score: 42.5 },
      signals: [{ detail: 'demo request', points: 38.07, occurredAt: daysAgo(1) }],
      mail: [{ sender: 'bob@engines.example', subject: 'Security review', receivedAt: daysAgo(2) }],
      meetings: [{ title: 'Contract call', startsAt: daysAgo(-1), attendees: ['ada@engines.example'] }],
      summary: 'Ada wants a demo.', at: NOW,
    });
    expect(text).toContain('# Dossier: Ada, Engines');
    expect(text).toContain('- Intent score: 42.5');
    expect(text).toContain('- Role: CTO');
    expect(text).toContain('- Lifecycle stage: opportunity');
    expect(text).toContain('Ada wants a demo.');
    expect(text).toContain('- 2025-01-05 demo request (+38.07)');
    expect(text).toContain('## Mail with engines.example (1)');
    expect(text).toContain('- 2025-01-04 **Security review** from bob@engines.example');
    expect(text).toContain('- 2025-01-07 Contract call (ada@engines.example)');
  });

  it('takes the company domain of a lead’s address, never a shared mailbox provider’s', () => {
    expect(leadDomain('Ada@Engines.Example')).toBe('engines.example');
    expect(leadDomain('ada@gmail.com')).toBeUndefined();
    expect(leadDomain(null)).toBeUndefined();
    expect(leadDomain('not-an-address')).toBeUndefined();
  });
});
