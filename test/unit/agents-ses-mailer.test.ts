import { beforeEach, describe, expect, it } from 'vitest';
import { MailError, type OutgoingEmail } from '../../agents/runtime/mail.js';
import { sesMailer, type SesMailerOptions } from '../../agents/runtime/mailer.js';
import { createAwsDouble, createDoubleClients, createManualClock, seededRandom, type AwsDouble } from '../aws-double/index.js';

const EMAIL: OutgoingEmail = {
  from: 'digest@mail.openclaw.example', to: ['ops@acme.example'], subject: 'Acme daily digest', text: 'Plain words.', html: '<p>HTML words.</p>',
  unsubscribe: 'mailto:digest@mail.openclaw.example?subject=unsubscribe', tags: { tenant: 'acme' }, date: new Date('2025-01-06T07:00:00Z'), messageId: '<digest.r1.acme@openclaw>',
};

/** SendEmail against the SES double, whose clock moves only by the mailer's waits. */
describe('the SES mailer', () => {
  let clock: ReturnType<typeof createManualClock>;
  let double: AwsDouble;
  let slept: number[];
  const mailer = (options: Partial<SesMailerOptions> = {}) => sesMailer({
    client: createDoubleClients(double).ses, configurationSet: 'digests',
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
    ...options,
  });

  beforeEach(() => {
    clock = createManualClock(Date.parse('2025-01-06T07:00:00Z'));
    double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(11) });
    double.state.ses.verifyIdentity('mail.openclaw.example');
    double.state.ses.createConfigurationSet('digests');
    slept = [];
  });

  it('waits with equal jitter between attempts while SES throttles by either of its names, then sends once', async () => {
    double.failNext({ service: 'sesv2', operation: 'SendEmail' }, { name: 'TooManyRequestsException', status: 429, message: 'Maximum sending rate exceeded.' });
    double.failNext({ service: 'sesv2', operation: 'SendEmail' }, { name: 'LimitExceededException', status: 400, message: 'Maximum sending rate exceeded.' });
    const draws = [0, 1];
    const sent = await mailer({ random: () => draws.shift() ?? 0.5 }).send(EMAIL);
    // Half of 250 ms fixed plus none drawn, then half of 500 ms fixed plus all of the other half.
    expect(slept).toEqual([125, 500]);
    expect(double.state.ses.sent.map((m) => m.messageId)).toEqual([sent.messageId]);
  });

  it('spreads its waits within the doubling bounds when the account’s sending rate stays exhausted, then says how many attempts it made', async () => {
    double.state.ses.configureAccount({ maxSendRate: 1 });
    await mailer().send(EMAIL);
    const error = await mailer({ random: seededRandom(5), sleep: async (ms) => void slept.push(ms) }).send(EMAIL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect(error).toMatchObject({ code: 'SES_TooManyRequestsException', retryable: true, message: expect.stringContaining('after 4 attempts') });
    expect(slept).toHaveLength(3);
    // Between half and all of 250, 500 and 1,000 ms, drawn: not the same point of each range.
    expect(slept.map((ms, i) => ms >= 125 * 2 ** i && ms <= 250 * 2 ** i)).toEqual([true, true, true]);
    expect(new Set(slept.map((ms, i) => ms / 2 ** i)).size).toBeGreaterThan(1);
    expect(double.state.ses.sent).toHaveLength(1);
  });

  it('fails at once, without waiting, while the account’s sending is paused or the message is rejected', async () => {
    double.state.ses.configureAccount({ sendingEnabled: false });
    await expect(mailer().send(EMAIL)).rejects.toMatchObject({ name: 'MailError', code: 'SES_SendingPausedException', retryable: false });
    double.state.ses.configureAccount({ sendingEnabled: true });
    await expect(mailer().send({ ...EMAIL, from: 'someone@unverified.example' })).rejects.toMatchObject({ code: 'SES_MessageRejected', retryable: false });
    expect(slept).toEqual([]);
    expect(double.calls.filter((c) => c.operation === 'SendEmail')).toHaveLength(2);
    expect(double.state.ses.sent).toEqual([]);
  });
});
