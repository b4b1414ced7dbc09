import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { createLogger } from '../../contract/logger.js';
import { createOnboardingWorld, type OnboardingWorld } from './onboarding-world.js';

/**
 * The path `npm start` gives a new user: connect acme's Google account at the sandbox provider, trigger
 * butler, and find the digest of the sandbox mailbox and calendar in acme's outbox.
 */
describe('a sandbox account connected for acme, then butler triggered', () => {
  let ow: OnboardingWorld;

  beforeAll(async () => {
    ow = await createOnboardingWorld();
    cliOverrides.open = { provider: ow.world.ctx.provider, log: createLogger({ level: 'silent' }) };
  });

  afterAll(async () => {
    cliOverrides.open = undefined;
    await ow?.close();
  });

  it('delivers an email to acme’s outbox built from the sandbox mailbox and calendar', async () => {
    const link = await ow.link('acme', 'google');
    const { callback, cookie } = await ow.consent(link.url, { account: 'owner@acme-bakeries.example' });
    expect((await ow.callback(callback, cookie)).status).toBe(200);

    let stdout = '';
    let stderr = '';
    const status = await main(['trigger', 'acme', 'butler'], {
      stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: process.cwd(), env: ow.env,
    });
    expect(stderr).toBe('');
    expect(status, stdout).toBe(0);

    const outbox = join(ow.world.dataDir, 'outbox', 'acme');
    const [file] = readdirSync(outbox);
    const mail = await simpleParser(readFileSync(join(outbox, file)));
    expect(Array.isArray(mail.to) ? [] : mail.to?.value.map((a) => a.address)).toEqual(['ops@acme-bakeries.example']);
    expect(mail.subject).toMatch(/^Acme Bakeries daily digest, \d{4}-\d{2}-\d{2}: 6 messages, \d+ events?$/);
    expect(mail.text).toContain('Pilot: next steps after Tuesday');
    expect(mail.text).toContain('Pilot kickoff with Northwind');
    expect(mail.html).toContain('<strong>Signed contract attached</strong>');
  }, 120_000);
});
