import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRAMS } from '../../agents/run.js';
import { sesMailer } from '../../agents/runtime/mailer.js';
import { runAgent, type RunnerDeps } from '../../agents/runtime/runner.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import { activeEntry } from '../../controller/scheduler/entries.js';
import { runEnvironment } from '../../controller/scheduler/run-env.js';
import { createAwsDouble, createDoubleClients, createManualClock, seededRandom } from '../aws-double/index.js';
import { createWorld, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

const NOW = new Date('2025-01-06T07:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const FROM = 'digest@mail.openclaw.example';

/** A (initech) lists a second recipient for butler; B (globex) has its mail in the same tables. */
const A = 'initech';
const B = 'globex';

describe('butler’s digest by email', () => {
  let world: World;
  let admin: pg.Client;
  let dataDir: string;
  const clock = createManualClock(NOW.getTime());
  const double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(3) });
  const clients = createDoubleClients(double);
  const slept: number[] = [];
  const ses: RunnerDeps['mailer'] = () => sesMailer({ client: clients.ses, configurationSet: 'openclaw-digests', sleep: async (ms) => void slept.push(ms), random: () => 0.5 });

  /** The environment the scheduler gives the run (recipients from the manifest), plus what the launcher adds. */
  const run = async (tenant: string, runId: string, deps: Pick<RunnerDeps, 'mailer'> = {}, agent = 'butler') => {
    const snapshot = await world.ctx.source.load();
    const manifest = snapshot.tenants.find((t) => t.name === tenant)!.manifest;
    const entry = activeEntry(desiredTenant(manifest, world.ctx.desiredContext), tenant, agent);
    if (typeof entry === 'string') throw new Error(entry);
    return runAgent(PROGRAMS, agent, {
      env: {
        // No integration secret: these rows are written by the test, not by a connector.
        ...Object.fromEntries(Object.entries(runEnvironment(entry, runId, { arn: (name) => `local:secret:${name}` })).filter(([name]) => !name.startsWith('OPENCLAW_SECRET_'))),
        OPENCLAW_PROVIDER: 'local', OPENCLAW_DATA_DIR: dataDir, DATABASE_URL: world.db.url, OPENCLAW_EMAIL_FROM: FROM,
        OPENCLAW_DB_CREDENTIALS: JSON.stringify(await world.ctx.provider.credentials.get(tenant)),
      },
      now: () => NOW,
      log: pino({ level: process.env.DEBUG_AGENT ? 'debug' : 'silent' }),
      ...deps,
    });
  };

  // scout, then writer, each run once whichever test needs it first: the tests hold in any order.
  let scouting: Promise<number> | undefined;
  let writing: Promise<number> | undefined;
  const scouted = () => (scouting ??= run(A, 'scout-1', {}, 'scout'));
  const written = () => (writing ??= scouted().then(() => run(A, 'writer-1', {}, 'writer')));

  beforeAll(async () => {
    world = await createWorld({ provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-digest-'))) });
    const initech = readFileSync(join(world.tenantsDir, `${A}.yaml`), 'utf8');
    world.writeTenant(`${A}.yaml`, initech.replace(/(- name: butler\n(\s+)schedule: .*\n)/, '$1$2recipients: [sales-lead@initech.example]\n'));
    dataDir = mkdtempSync(join(tmpdir(), 'oc-digest-data-'));
    const report = await world.pass();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
    admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
    for (const [tenant, subjects] of [[A, ['Renewal terms for Q2', 'TPS report cover sheets']], [B, ['Globex merger rumours', 'Secret globex pricing']]] as const) {
      for (const [i, subject] of subjects.entries()) {
        await admin.query('INSERT INTO app.messages (tenant_id, sender, subject, body, received_at) VALUES ($1, $2, $3, $4, $5)', [tenant, `s${i}@${tenant}.example`, subject, `${subject}. Please reply today.`, hoursAgo(i + 1)]);
      }
      await admin.query('INSERT INTO app.calendar_events (tenant_id, title, starts_at, ends_at, attendees) VALUES ($1, $2, $3, $4, $5)', [tenant, `${tenant} <b>standup</b>`, new Date(NOW.getTime() + 3_600_000), new Date(NOW.getTime() + 4_000_000), [`milton@${tenant}.example`]]);
    }
    // A's lead Ada (a demo request, a reply, a meeting ahead) and B's Mallory, for scout, writer and the digest's signals.
    const lead = async (tenant: string, name: string, email: string) => (await admin.query<{ id: string }>(
      'INSERT INTO app.leads (tenant_id, name, company, email, job_title) VALUES ($1, $2, $3, $4, $5) RETURNING id', [tenant, name, `${name} Engines`, email, 'CTO'])).rows[0].id;
    const ada = await lead(A, 'Ada', 'ada@engines.example');
    await lead(B, 'Mallory', 'mallory@engines.example');
    await admin.query('INSERT INTO app.lead_events (tenant_id, lead_id, kind, occurred_at, subject) VALUES ($1, $2, $3, $4, $5)', [A, ada, 'demo_request', hoursAgo(14 * 24), 'Demo please']);
    await admin.query('INSERT INTO app.messages (tenant_id, sender, subject, body, received_at) VALUES ($1, $2, $3, $4, $5)', [A, '"Ada" <ada@engines.example>', 'Re: pricing for 40 seats', 'Looks good.', hoursAgo(7 * 24)]);
    await admin.query('INSERT INTO app.messages (tenant_id, sender, subject, body, received_at) VALUES ($1, $2, $3, $4, $5)', [B, 'mallory@engines.example', 'Globex wants engines', '', hoursAgo(2)]);
    await admin.query('INSERT INTO app.calendar_events (tenant_id, title, starts_at, ends_at, attendees) VALUES ($1, $2, $3, $4, $5)', [A, 'Contract call with Engines', new Date(NOW.getTime() + 26 * 3_600_000), new Date(NOW.getTime() + 27 * 3_600_000), ['ada@engines.example']]);
    double.state.ses.verifyIdentity('mail.openclaw.example');
    double.state.ses.createConfigurationSet('openclaw-digests');
  });

  afterAll(async () => {
    await admin?.end();
    await world?.close();
  });

  it('sends A’s digest through SES to its contact and butler’s recipients, one message each, both parts, unsubscribe and tenant tag, none of B’s mail', async () => {
    const before = double.state.ses.sent.length;
    expect(await run(A, 'butler-ses-1', { mailer: ses })).toBe(0);
    const sent = double.state.ses.sent.slice(before);
    expect(sent.map((m) => m.to)).toEqual([['it-admins@initech.example'], ['sales-lead@initech.example']]);
    const [email] = sent;
    expect(email).toMatchObject({
      from: FROM, configurationSet: 'openclaw-digests', tags: { tenant: A, agent: 'butler' },
      subject: 'Initech Corporation daily digest, 2025-01-06: 2 messages, 1 event',
    });
    expect(sent[1].text).toBe(email.text);
    expect(email.headers['list-unsubscribe']).toBe(`<mailto:${FROM}?subject=unsubscribe%20${A}>`);
    expect(email.text).toContain('**Renewal terms for Q2** from s0@initech.example');
    expect(email.html).toContain('<strong>TPS report cover sheets</strong> from s1@initech.example');
    // Titles are customer data: escaped in the HTML part, never markup.
    expect(email.html).toContain(`${A} &lt;b&gt;standup&lt;/b&gt;`);
    expect(email.html).not.toContain('<b>standup</b>');
    expect(`${email.subject}\n${email.text}\n${email.html}`).not.toMatch(/globex/i);
  });

  it('records where the digest went and meters one email per recipient, as A', async () => {
    const before = double.state.ses.sent.length;
    expect(await run(A, 'butler-ses-record', { mailer: ses })).toBe(0);
    const [first, second] = double.state.ses.sent.slice(before);
    const { rows } = await admin.query(`SELECT recipients, message_id, delivered_to, sent_at FROM tenant_${A}.digests WHERE run_id = 'butler-ses-record'`);
    expect(rows).toEqual([{
      recipients: ['it-admins@initech.example', 'sales-lead@initech.example'], message_id: `${first.messageId} ${second.messageId}`,
      delivered_to: `ses:${first.messageId} ses:${second.messageId}`, sent_at: NOW,
    }]);
    const meters = await admin.query(`SELECT tenant_id, meter, quantity::int FROM app.usage_meters WHERE run_id = 'butler-ses-record' AND meter = 'emails_sent'`);
    expect(meters.rows).toEqual([{ tenant_id: A, meter: 'emails_sent', quantity: 2 }]);
  });

  it('retries when SES throttles, and fails the run with nothing recorded when SES rejects the message', async () => {
    const [sleptBefore, sentBefore] = [slept.length, double.state.ses.sent.length];
    double.failNext({ service: 'sesv2', operation: 'SendEmail', times: 2 }, { name: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' });
    expect(await run(B, 'butler-ses-2', { mailer: ses })).toBe(0);
    expect(slept.slice(sleptBefore)).toEqual([187, 375]);
    expect(double.state.ses.sent.at(-1)).toMatchObject({ to: ['platform@globex.example'], tags: { tenant: B } });
    expect(double.state.ses.sent.at(-1)!.text).not.toMatch(/initech|Renewal/i);

    double.failNext({ service: 'sesv2', operation: 'SendEmail' }, { name: 'MessageRejected', message: 'Email address is not verified.' });
    expect(await run(A, 'butler-ses-3', { mailer: ses })).toBe(1);
    expect(double.state.ses.sent).toHaveLength(sentBefore + 1);
    expect((await admin.query(`SELECT count(*)::int AS n FROM tenant_${A}.digests WHERE run_id = 'butler-ses-3'`)).rows[0].n).toBe(0);
  });

  it('started again under the same id after SES refused its second message, sends only to the recipient not yet reached, and meters that one', async () => {
    const before = double.state.ses.sent.length;
    double.state.ses.account.productionAccess = false;
    try {
      double.state.ses.verifyIdentity('it-admins@initech.example');
      expect(await run(A, 'butler-ses-again', { mailer: ses })).toBe(1);
      expect(double.state.ses.sent.slice(before).map((m) => m.to)).toEqual([['it-admins@initech.example']]);
      expect((await admin.query(`SELECT count(*)::int AS n FROM tenant_${A}.digests WHERE run_id = 'butler-ses-again'`)).rows[0].n).toBe(0);

      double.state.ses.verifyIdentity('sales-lead@initech.example');
      expect(await run(A, 'butler-ses-again', { mailer: ses })).toBe(0);
      const [first, second, ...more] = double.state.ses.sent.slice(before);
      expect(more).toEqual([]);
      expect(second.to).toEqual(['sales-lead@initech.example']);
      const { rows } = await admin.query(`SELECT recipients, message_id FROM tenant_${A}.digests WHERE run_id = 'butler-ses-again'`);
      expect(rows).toEqual([{ recipients: ['it-admins@initech.example', 'sales-lead@initech.example'], message_id: `${first.messageId} ${second.messageId}` }]);
      const meters = await admin.query(`SELECT sum(quantity)::int AS n FROM app.usage_meters WHERE run_id = 'butler-ses-again' AND meter = 'emails_sent'`);
      expect(meters.rows).toEqual([{ n: 2 }]);
    } finally {
      double.state.ses.account.productionAccess = true;
    }
  });

  it('refuses to send a run’s digest when its delivery ledger is not that run’s, since who already has it is unknown', async () => {
    const before = double.state.ses.sent.length;
    const ledger = join(dataDir, 's3', 'local-tenants', 'tenants', A, 'agents', 'butler', 'deliveries');
    mkdirSync(ledger, { recursive: true });
    writeFileSync(join(ledger, 'butler-ses-forged.json'), JSON.stringify({ runId: 'another-run', deliveries: [] }));
    expect(await run(A, 'butler-ses-forged', { mailer: ses })).toBe(1);
    expect(double.state.ses.sent.length).toBe(before);
  });

  it('locally, delivers A’s digest as an .eml file in A’s outbox and nowhere else', async () => {
    expect(await run(A, 'butler-local-1')).toBe(0);
    const outbox = join(dataDir, 'outbox', A);
    const files = readdirSync(outbox);
    expect(files.sort()).toEqual(['20250106T070000Z-digest.butler-local-1.initech.1.eml', '20250106T070000Z-digest.butler-local-1.initech.2.eml']);
    expect(existsSync(join(dataDir, 'outbox', B))).toBe(false);
    const mail = await simpleParser(readFileSync(join(outbox, files[0])));
    expect(mail.from?.text).toBe(FROM);
    expect(Array.isArray(mail.to) ? [] : mail.to?.value.map((a) => a.address)).toEqual(['it-admins@initech.example']);
    expect(mail.subject).toBe('Initech Corporation daily digest, 2025-01-06: 2 messages, 1 event');
    expect(mail.text).toContain('Renewal terms for Q2');
    expect(mail.html).toContain('<h1>Daily digest for initech: 2025-01-06</h1>');
    expect(mail.headers.get('x-ses-message-tags')).toBe(`tenant=${A}, agent=butler`);
    expect(mail.headers.get('list')).toMatchObject({ unsubscribe: { mail: `${FROM}?subject=unsubscribe%20${A}` } });
  });

  it('scout scores A’s lead from its CRM events, its reply in A’s mailbox and its meeting, and writes the signals as A', async () => {
    expect(await scouted()).toBe(0);
    const signals = await admin.query('SELECT tenant_id, source, kind, points::float8 AS points FROM app.lead_signals ORDER BY points DESC');
    // 35 (a meeting ahead) + 40 halved after 14 days + 15 × 0.5^(7/14).
    expect(signals.rows).toEqual([
      { tenant_id: A, source: 'calendar', kind: 'meeting_booked', points: 35 },
      { tenant_id: A, source: 'crm', kind: 'demo_request', points: 20 },
      { tenant_id: A, source: 'mail', kind: 'email_reply', points: 10.61 },
    ]);
    const scores = await admin.query('SELECT tenant_id, name, score::float8 AS score FROM app.leads ORDER BY id');
    expect(scores.rows).toEqual([{ tenant_id: A, name: 'Ada', score: 65.61 }, { tenant_id: B, name: 'Mallory', score: null }]);
  });

  it('writer stores A’s dossier in A’s prefix, with the CRM fields, the mail with the lead’s domain and the meeting', async () => {
    expect(await written()).toBe(0);
    const folder = join(dataDir, 's3', 'local-tenants', 'tenants', A, 'agents', 'writer', 'dossiers');
    const [file] = readdirSync(folder);
    const dossier = readFileSync(join(folder, file), 'utf8');
    expect(dossier).toContain('# Dossier: Ada, Ada Engines');
    expect(dossier).toContain('- Role: CTO');
    expect(dossier).toContain('**Re: pricing for 40 seats** from "Ada" <ada@engines.example>');
    expect(dossier).toContain('Contract call with Engines (ada@engines.example)');
    expect(dossier).not.toMatch(/globex|mallory/i);
  });

  it('puts A’s top signals and a link to the dossier into A’s next digest', async () => {
    expect(await written()).toBe(0);
    expect(await run(A, 'butler-ses-4', { mailer: ses })).toBe(0);
    const email = double.state.ses.sent.at(-1)!;
    expect(email.tags.tenant).toBe(A);
    expect(email.text).toContain('## Intent signals (1)');
    expect(email.text).toContain('- Ada (Ada Engines), score 65.61: meeting 2025-01-07: Contract call with Engines; demo request: Demo please (last engaged today)');
    const dossier = pathToFileURL(join(dataDir, 's3', 'local-tenants', 'tenants', A, 'agents', 'writer', 'dossiers', readdirSync(join(dataDir, 's3', 'local-tenants', 'tenants', A, 'agents', 'writer', 'dossiers'))[0])).href;
    expect(email.text).toContain(`- dossier for Ada (Ada Engines), score 65.61: ${dossier}`);
    expect(email.html).toContain(`<a href="${dossier}">dossier for Ada (Ada Engines), score 65.61</a>`);
    expect(`${email.text}${email.html}`).not.toMatch(/globex|mallory/i);
  });
});
