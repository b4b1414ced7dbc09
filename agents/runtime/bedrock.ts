import type { AgentEnv } from './env.js';
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ModelUsage, Summariser } from './model.js';

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

interface ModelResponse {
  content?: { type?: string; text?: string }[];
  usage?: { input_tokens?: number; output_tokens?: number; inputTokens?: number; outputTokens?: number };
  output?: { message?: { content?: { text?: string }[] } };
}

/** Text and token counts from either family's response. */
export function parseResponse(body: ModelResponse): { text: string; inputTokens: number; outputTokens: number } {
  const parts = body.content ?? body.output?.message?.content ?? [];
  return {
    text: parts.map((p) => p.text ?? '').join('').trim(),
    inputTokens: body.usage?.input_tokens ?? body.usage?.inputTokens ?? 0,
    outputTokens: body.usage?.output_tokens ?? body.usage?.outputTokens ?? 0,
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
      const parsed = parseResponse(JSON.parse(new TextDecoder().decode(output.body)) as ModelResponse);
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
