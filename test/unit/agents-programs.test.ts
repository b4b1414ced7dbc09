import { describe, expect, it } from 'vitest';
import { composeDigest, topSenders } from '../../agents/butler/digest.js';
import { eventWeight, scoreLead, scoreLeads } from '../../agents/scout/score.js';
import { composeDossier, dossierKey } from '../../agents/writer/dossier.js';

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

  it('keeps scores between 0 and 100 with two decimals', () => {
    expect(scoreLead(Array.from({ length: 5 }, () => ({ kind: 'demo_request', occurredAt: NOW })), NOW)).toBe(100);
    expect(scoreLead([{ kind: 'unsubscribe', occurredAt: NOW }], NOW)).toBe(0);
    expect(scoreLead([{ kind: 'pricing_view', occurredAt: daysAgo(3) }], NOW)).toBe(17.24);
  });

  it('scores every lead, those without events at 0', () => {
    const scores = scoreLeads([1, 2], [{ leadId: 1, kind: 'email_reply', occurredAt: NOW }], NOW);
    expect([...scores]).toEqual([[1, 15], [2, 0]]);
  });
});

describe('writer: the dossier', () => {
  it('keys a dossier by lead under the agent prefix', () => {
    expect(dossierKey('tenants/acme/agents/writer/', 7)).toBe('tenants/acme/agents/writer/dossiers/lead-7.md');
  });

  it('has the lead, the briefing and the signals', () => {
    const text = composeDossier({ id: 7, name: 'Ada', company: 'Acme', email: null, score: 42.5 }, [{ kind: 'demo_request', occurredAt: daysAgo(1) }], 'Ada wants a demo.', NOW);
    expect(text).toContain('# Dossier: Ada, Acme');
    expect(text).toContain('- Intent score: 42.5');
    expect(text).toContain('- Contact: unknown');
    expect(text).toContain('Ada wants a demo.');
    expect(text).toContain('- 2025-01-05 demo request');
  });
});
