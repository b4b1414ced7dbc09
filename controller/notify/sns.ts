import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Config } from '../config.js';
import type { SnsPublisher } from './senders.js';

/** SNS for notification channels, configured as the provider's clients are (region, endpoint, no SDK retries: the outbox retries). */
export function buildSnsClient(config: Readonly<Config>): SNSClient {
  return new SNSClient({ region: config.aws.region, maxAttempts: 1, ...(config.aws.endpointUrl ? { endpoint: config.aws.endpointUrl } : {}) });
}

export function snsPublisher(client: SNSClient): SnsPublisher {
  return { publish: (input) => client.send(new PublishCommand(input)) };
}
