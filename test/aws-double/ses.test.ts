import { GetAccountCommand, GetEmailIdentityCommand, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsDouble, createDoubleClients, createManualClock, seededRandom, type AwsDouble, type DoubleClients } from './index.js';

const RAW = (from: string, to: string) => Buffer.from([
  `From: ${from}`, `To: ${to}`, 'Subject: Hello', 'List-Unsubscribe: <mailto:digest@mail.example.com?subject=unsubscribe>',
  'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b"', '',
  '--b', 'Content-Type: text/plain; charset=utf-8', '', 'Plain words.', '--b', 'Content-Type: text/html; charset=utf-8', '', '<p>HTML words.</p>', '--b--', '',
].join('\r\n'));

const send = (clients: DoubleClients, input: Partial<SendEmailCommandInput> = {}) => clients.ses.send(new SendEmailCommand({
  FromEmailAddress: 'digest@mail.example.com',
  Destination: { ToAddresses: ['ops@acme.example'] },
  Content: { Raw: { Data: RAW('digest@mail.example.com', 'ops@acme.example') } },
  ...input,
}));

describe('the SES v2 double', () => {
  let clock: ReturnType<typeof createManualClock>;
  let double: AwsDouble;
  let clients: DoubleClients;

  beforeEach(() => {
    clock = createManualClock();
    double = createAwsDouble({ now: clock.now, sleep: clock.sleep, random: seededRandom(7) });
    clients = createDoubleClients(double);
    double.state.ses.verifyIdentity('mail.example.com');
    double.state.ses.createConfigurationSet('digests');
  });

  it('accepts a raw message from a verified domain and keeps its envelope, tags and both parts', async () => {
    const { MessageId } = await send(clients, { ConfigurationSetName: 'digests', EmailTags: [{ Name: 'tenant', Value: 'acme' }] });
    expect(MessageId).toMatch(/^0100[0-9a-f]{12}-[0-9a-f-]+-000000$/);
    expect(double.state.ses.sent).toMatchObject([{
      messageId: MessageId, from: 'digest@mail.example.com', to: ['ops@acme.example'], configurationSet: 'digests', tags: { tenant: 'acme' },
      subject: 'Hello', text: 'Plain words.', html: '<p>HTML words.</p>', headers: { 'list-unsubscribe': '<mailto:digest@mail.example.com?subject=unsubscribe>' },
    }]);
  });

  it('rejects a sender that is not verified, an unknown configuration set and a bad tag with SES’s own errors, sending nothing', async () => {
    await expect(send(clients, { FromEmailAddress: 'someone@other.example' })).rejects.toMatchObject({ name: 'MessageRejected', message: expect.stringContaining('someone@other.example') });
    await expect(send(clients, { ConfigurationSetName: 'missing' })).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(send(clients, { EmailTags: [{ Name: 'tenant', Value: 'acme corp' }] })).rejects.toMatchObject({ name: 'BadRequestException' });
    expect(double.state.ses.sent).toEqual([]);
  });

  it('in the sandbox, sends only to verified recipients', async () => {
    double.state.ses.configureAccount({ productionAccess: false });
    await expect(send(clients)).rejects.toMatchObject({ name: 'MessageRejected', message: expect.stringContaining('ops@acme.example') });
    double.state.ses.verifyIdentity('ops@acme.example');
    await expect(send(clients)).resolves.toHaveProperty('MessageId');
  });

  it('throttles past the sending rate and refuses past the daily quota, counting recipients on the clock', async () => {
    double.state.ses.configureAccount({ maxSendRate: 1, max24HourSend: 2 });
    await send(clients);
    await expect(send(clients)).rejects.toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    clock.advance(1_000);
    await send(clients);
    clock.advance(1_000);
    await expect(send(clients)).rejects.toMatchObject({ name: 'LimitExceededException', message: 'Daily message quota exceeded.' });
    expect((await clients.ses.send(new GetAccountCommand({}))).SendQuota).toEqual({ Max24HourSend: 2, MaxSendRate: 1, SentLast24Hours: 2 });
    clock.advance(86_400_000);
    await expect(send(clients)).resolves.toHaveProperty('MessageId');
  });

  it('tells a verified identity from an unknown one', async () => {
    expect((await clients.ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'mail.example.com' })))).toMatchObject({ IdentityType: 'DOMAIN', VerifiedForSendingStatus: true });
    await expect(clients.ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'other.example' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
