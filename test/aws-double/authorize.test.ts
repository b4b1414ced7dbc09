import { ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { pooledTenantPolicy, pooledTrustPolicy } from '../../controller/desired/policy.js';
import type { DesiredContext } from '../../controller/desired/types.js';
import { createAwsDouble, createDoubleClients, seededRandom } from './index.js';

// A session's calls authorized by the double as IAM authorizes them: the action and resources each
// operation really needs (SES v2 SendEmail: ses:SendEmail on the identity and the configuration set,
// with ses:FromAddress), and each service's own refusal. The role is the pooled tenant-access role,
// with the digest email statement the controller writes when a sender is configured.
const ctx: DesiredContext = {
  accountId: '123456789012', partition: 'aws', region: 'us-east-1', bucket: 'openclaw-tenants', iamPath: '/openclaw/tenants/', secretsPrefix: 'openclaw',
  email: { fromAddress: 'digest@mail.example.com', configurationSet: 'digests' },
};
const WORKER_ARN = `arn:aws:iam::${ctx.accountId}:role/openclaw-pool-worker`;
const SES_ARN = `arn:aws:ses:${ctx.region}:${ctx.accountId}`;
const RAW = Buffer.from('From: digest@mail.example.com\r\nTo: ops@acme.example\r\nSubject: Digest\r\n\r\nWords.\r\n');

describe("the AWS double's authorization of an STS session's calls", () => {
  const double = createAwsDouble({ random: seededRandom(11) });
  const admin = createDoubleClients(double);
  let session: { ses: SESv2Client; s3: S3Client; secrets: SecretsManagerClient; ecs: ECSClient; iam: IAMClient; arn: string };
  const email = (input: Partial<SendEmailCommandInput> = {}) => session.ses.send(new SendEmailCommand({
    FromEmailAddress: 'digest@mail.example.com', Destination: { ToAddresses: ['ops@acme.example'] }, Content: { Raw: { Data: RAW } }, ConfigurationSetName: 'digests', ...input,
  }));
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(() => undefined, (error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }));

  beforeAll(async () => {
    double.state.ses.verifyIdentity('mail.example.com');
    double.state.ses.createConfigurationSet('digests');
    double.state.ses.createConfigurationSet('marketing');
    await admin.iam.send(new CreateRoleCommand({ RoleName: 'openclaw-tenant-access', AssumeRolePolicyDocument: JSON.stringify(pooledTrustPolicy(WORKER_ARN)) }));
    await admin.iam.send(new PutRolePolicyCommand({ RoleName: 'openclaw-tenant-access', PolicyName: 'tenant-access', PolicyDocument: JSON.stringify(pooledTenantPolicy(ctx)) }));
    double.state.sts.principals.set('AKIDWORKER', { arn: WORKER_ARN });
    const worker = new STSClient({ region: ctx.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDWORKER', secretAccessKey: 'x' } });
    double.attach(worker, 'sts');
    const { Credentials, AssumedRoleUser } = await worker.send(new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ctx.accountId}:role/openclaw-tenant-access`, RoleSessionName: 'run-1', Tags: [{ Key: 'tenant', Value: 'acme' }],
    }));
    const config = { region: ctx.region, maxAttempts: 1, credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } };
    const clients = { ses: new SESv2Client(config), s3: new S3Client(config), secrets: new SecretsManagerClient(config), ecs: new ECSClient(config), iam: new IAMClient(config) };
    double.attachAll(clients);
    session = { ...clients, arn: AssumedRoleUser!.Arn! };
  });

  it('lets the session send the digest as ses:SendEmail from the one allowed address, through the configured set', async () => {
    const { MessageId } = await email();
    expect(double.state.ses.sent).toMatchObject([{ messageId: MessageId, from: 'digest@mail.example.com', to: ['ops@acme.example'], configurationSet: 'digests' }]);
  });

  it("refuses another sender, of a verified domain or verified itself, and another configuration set, with SES's AccessDeniedException on that resource, sending nothing", async () => {
    const before = double.state.ses.sent.length;
    const denied = (resource: string) => `User: ${session.arn} is not authorized to perform: ses:SendEmail on resource: ${resource} because no identity-based policy allows the ses:SendEmail action`;
    expect(await errorOf(email({ FromEmailAddress: 'ceo@mail.example.com' }))).toEqual({ name: 'AccessDeniedException', status: 400, message: denied(`${SES_ARN}:identity/mail.example.com`) });
    // An address verified as an identity of its own is that identity, not its domain.
    double.state.ses.verifyIdentity('ceo@mail.example.com');
    expect(await errorOf(email({ FromEmailAddress: 'ceo@mail.example.com' }))).toMatchObject({ name: 'AccessDeniedException', message: denied(`${SES_ARN}:identity/ceo@mail.example.com`) });
    expect(await errorOf(email({ ConfigurationSetName: 'marketing' }))).toEqual({ name: 'AccessDeniedException', status: 400, message: denied(`${SES_ARN}:configuration-set/marketing`) });
    expect(double.state.ses.sent.length).toBe(before);
  });

  it('answers a refusal in each service’s own shape: AccessDenied (403) from S3 and IAM, AccessDeniedException (400) from Secrets Manager and ECS', async () => {
    expect(await errorOf(session.s3.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: 'tenants/globex/x', Body: 'x' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(session.iam.send(new GetRoleCommand({ RoleName: 'openclaw-tenant-access' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(session.secrets.send(new GetSecretValueCommand({ SecretId: 'openclaw/tenants/globex/integrations' })))).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(await errorOf(session.ecs.send(new ListTasksCommand({ cluster: 'openclaw' })))).toMatchObject({ name: 'AccessDeniedException', status: 400 });
  });
});
