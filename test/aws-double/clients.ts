// Real SDK v3 clients wired to a double, configured as the controller configures its own
// (no SDK retries: the controller retries by itself).
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { AwsDouble } from './index.js';

export interface DoubleClients {
  iam: IAMClient;
  s3: S3Client;
  secrets: SecretsManagerClient;
  sts: STSClient;
  ecs: ECSClient;
  ses: SESv2Client;
  sns: SNSClient;
  quotas: ServiceQuotasClient;
}

export function createDoubleClients(double: AwsDouble, region = 'us-east-1'): DoubleClients {
  const config = { region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
  const clients = {
    iam: new IAMClient(config),
    s3: new S3Client(config),
    secrets: new SecretsManagerClient(config),
    sts: new STSClient(config),
    ecs: new ECSClient(config),
    ses: new SESv2Client(config),
    sns: new SNSClient(config),
    quotas: new ServiceQuotasClient(config),
  };
  double.attachAll(clients);
  return clients;
}
