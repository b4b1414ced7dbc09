// SNS: topics and what was published to them, with the checks Publish really makes (the topic exists,
// the caller may publish, the subject is printable ASCII under 100 characters, FIFO topics need a group).
import type { CreateTopicCommandOutput, ListTopicsCommandOutput, PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import type { Out, ServiceHandlers } from './core.js';
import { fail } from './errors.js';
import type { Env } from './options.js';

export interface SnsMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  groupId?: string;
  at: number;
}

const MAX_MESSAGE_BYTES = 256 * 1024;

export class SnsState {
  private readonly topics = new Map<string, { name: string; messages: SnsMessage[] }>();
  /** Topics the caller may not publish to (its policy or the topic's says no). */
  private readonly denied = new Set<string>();
  private sequence = 0;

  constructor(private readonly env: Env) {}

  createTopic(name: string): string {
    if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) fail('InvalidParameter', 'Invalid parameter: Topic Name');
    const arn = `arn:aws:sns:${this.env.options.region}:${this.env.options.accountId}:${name}`;
    if (!this.topics.has(arn)) this.topics.set(arn, { name, messages: [] });
    return arn;
  }

  deleteTopic(arn: string): void {
    this.topics.delete(arn);
  }

  denyPublish(arn: string): void {
    this.denied.add(arn);
  }

  messages(arn: string): SnsMessage[] {
    return [...(this.topics.get(arn)?.messages ?? [])];
  }

  topicArns(): string[] {
    return [...this.topics.keys()].sort();
  }

  publish(input: PublishCommandInput): SnsMessage {
    if (!input.TopicArn) fail('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    if (input.Message === undefined || input.Message === '') fail('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(input.Message, 'utf8') > MAX_MESSAGE_BYTES) fail('InvalidParameter', 'Invalid parameter: Message too long');
    if (input.Subject !== undefined && (input.Subject.length === 0 || input.Subject.length >= 100 || !/^[\x20-\x7e]+$/.test(input.Subject) || !/^[A-Za-z0-9\p{P}]/u.test(input.Subject))) {
      fail('InvalidParameter', 'Invalid parameter: Subject');
    }
    const topic = this.topics.get(input.TopicArn);
    if (!topic) fail('NotFound', 'Topic does not exist', 404);
    if (this.denied.has(input.TopicArn)) {
      fail('AuthorizationError', `User: arn:aws:sts::${this.env.options.accountId}:assumed-role/openclaw-controller/aws-double is not authorized to perform: SNS:Publish on resource: ${input.TopicArn} because no identity-based policy allows the SNS:Publish action`, 403);
    }
    const fifo = topic.name.endsWith('.fifo');
    if (fifo && !input.MessageGroupId) fail('InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    if (!fifo && input.MessageGroupId) fail('InvalidParameter', 'Invalid parameter: MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type');
    for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
      if (!/^(String|Number|Binary|String\.Array)(\..+)?$/.test(value.DataType ?? '')) fail('ParameterValueInvalid', `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
      if (value.StringValue === undefined && value.BinaryValue === undefined) fail('ParameterValueInvalid', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${value.DataType}'.`);
    }
    const message: SnsMessage = {
      messageId: `${(++this.sequence).toString(16).padStart(8, '0')}-aws-double`,
      topicArn: input.TopicArn, subject: input.Subject, message: input.Message,
      attributes: Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, { DataType: v.DataType ?? '', StringValue: v.StringValue }])),
      groupId: input.MessageGroupId, at: this.env.now(),
    };
    topic.messages.push(message);
    return message;
  }
}

export function snsHandlers(state: SnsState): ServiceHandlers {
  return {
    CreateTopic: (input: { Name: string }): Out<CreateTopicCommandOutput> => ({ TopicArn: state.createTopic(input.Name) }),
    ListTopics: (): Out<ListTopicsCommandOutput> => ({ Topics: state.topicArns().map((TopicArn) => ({ TopicArn })) }),
    Publish: (input: PublishCommandInput): Out<PublishCommandOutput> => ({ MessageId: state.publish(input).messageId }),
  };
}
