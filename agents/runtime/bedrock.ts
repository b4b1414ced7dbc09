import type { AgentEnv } from './env.js';
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ModelUsage, Summariser } from './model.js';
import { isRecord } from '../../contract/json.js';

type Invoke = Pick<BedrockRuntimeClient, 'send'>;

const MAX_TOKENS = 512;
const MAX_INPUT_CHARS = 40_000;

/** Request body of the model family: Anthropic Claude (messages API) or Amazon Nova. */
export function requestBody(modelId: string, prompt: string): Record<string, unknown> {
  if (/anthropic/.test(modelId)) {
    return { anthropic_version: 'bedrock-2023-05-31', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] };
  }
  return { messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens: MAX_TOKENS } };
}

/** A field of a JSON object, or undefined when the value is not an object. */
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined);
const count = (...values: unknown[]) => values.find((v): v is number => typeof v === 'number') ?? 0;

/**
 * Text and token counts from either family's response: Claude's `content[].text` and
 * `usage.input_tokens`, Nova's `output.message.content[].text` and `usage.inputTokens`.
 * Each field is checked for its type: a missing or odd one reads as no text or no tokens.
 */
export function parseResponse(body: unknown): { text: string; inputTokens: number; outputTokens: number } {
  const claude = field(body, 'content');
  const parts = Array.isArray(claude) ? claude : field(field(field(body, 'output'), 'message'), 'content');
  const usage = field(body, 'usage');
  return {
    text: (Array.isArray(parts) ? parts : []).map((p: unknown) => {
      const text = field(p, 'text');
      return typeof text === 'string' ? text : '';
    }).join('').trim(),
    inputTokens: count(field(usage, 'input_tokens'), field(usage, 'inputTokens')),
    outputTokens: count(field(usage, 'output_tokens'), field(usage, 'outputTokens')),
  };
}

/** Amazon Bedrock InvokeModel, with the task's credentials (the tenant role may call bedrock:InvokeModel). */
export function bedrockSummariser(modelId: string, client: Invoke): Summariser {
  const usage: ModelUsage = { model: null, inputTokens: 0, outputTokens: 0 };
  return {
    name: modelId,
    async summarise(instruction, texts) {
      const prompt = `${instruction}\n\n${texts.join('\n---\n')}`.slice(0, MAX_INPUT_CHARS);
      const output = await client.send(new InvokeModelCommand({
        modelId, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(requestBody(modelId, prompt)),
      }));
      const parsed = parseResponse(JSON.parse(new TextDecoder().decode(output.body)));
      usage.model = modelId;
      usage.inputTokens += parsed.inputTokens;
      usage.outputTokens += parsed.outputTokens;
      return parsed.text;
    },
    usage: () => ({ ...usage }),
  };
}

export function bedrockClient(region: string | undefined, endpointUrl: string | undefined, credentials?: AgentEnv['awsCredentials']): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ region, ...(endpointUrl ? { endpoint: endpointUrl } : {}), ...(credentials ? { credentials } : {}) });
}
