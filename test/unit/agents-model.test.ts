import { describe, expect, it } from 'vitest';
import { bedrockSummariser, parseResponse, requestBody } from '../../agents/runtime/bedrock.js';
import { extractiveSummary, offlineSummariser } from '../../agents/runtime/model.js';

const TEXTS = [
  'The invoice for March is overdue. Please pay the invoice this week.',
  'Lunch on Friday? The new place near the office.',
  'Reminder: the invoice reminder was sent twice. Payment is due on the invoice.',
];

describe('the offline summariser', () => {
  it('extracts the sentences that carry the most frequent terms, in their original order', () => {
    expect(extractiveSummary(TEXTS, 2)).toBe('Please pay the invoice this week. Reminder: the invoice reminder was sent twice.');
  });

  it('gives the same summary for the same input, every time', () => {
    expect(extractiveSummary(TEXTS)).toBe(extractiveSummary([...TEXTS]));
  });

  it('counts tokens as words, input (instruction included) and output, across calls', async () => {
    const model = offlineSummariser();
    expect(model.usage()).toEqual({ model: null, inputTokens: 0, outputTokens: 0 });
    const summary = await model.summarise('Summarise this.', ['One two three. Four five.']);
    await model.summarise('Again.', ['Six.']);
    expect(model.usage()).toEqual({ model: 'offline-extractive', inputTokens: 2 + 5 + 1 + 1, outputTokens: summary.split(' ').length + 1 });
  });

  it('returns an empty summary for nothing to summarise', () => {
    expect(extractiveSummary([])).toBe('');
  });
});

describe('the Bedrock summariser', () => {
  it('sends an Anthropic messages body to Claude models and an inferenceConfig body to Nova', () => {
    expect(requestBody('anthropic.claude-3-haiku-20240307-v1:0', 'hi')).toEqual({
      anthropic_version: 'bedrock-2023-05-31', max_tokens: 512, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
    expect(requestBody('amazon.nova-lite-v1:0', 'hi')).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 512 } });
  });

  it('reads text and token counts from either response shape', () => {
    expect(parseResponse({ content: [{ type: 'text', text: ' ok ' }], usage: { input_tokens: 10, output_tokens: 3 } })).toEqual({ text: 'ok', inputTokens: 10, outputTokens: 3 });
    expect(parseResponse({ output: { message: { content: [{ text: 'fine' }] } }, usage: { inputTokens: 7, outputTokens: 1 } })).toEqual({ text: 'fine', inputTokens: 7, outputTokens: 1 });
  });

  it('calls InvokeModel with the model id and adds up the tokens it reports', async () => {
    const sent: { modelId?: string; body?: unknown }[] = [];
    const client = {
      send: async (command: { input: { modelId?: string; body?: unknown } }) => {
        sent.push(command.input);
        return { body: new TextEncoder().encode(JSON.stringify({ content: [{ type: 'text', text: 'Pay the invoice.' }], usage: { input_tokens: 40, output_tokens: 4 } })) };
      },
    };
    const model = bedrockSummariser('anthropic.claude-3-haiku-20240307-v1:0', client as never);
    expect(await model.summarise('Summarise.', TEXTS)).toBe('Pay the invoice.');
    await model.summarise('Summarise.', TEXTS);
    expect(sent[0].modelId).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(JSON.parse(String(sent[0].body)).messages[0].content[0].text).toContain('The invoice for March is overdue.');
    expect(model.usage()).toEqual({ model: 'anthropic.claude-3-haiku-20240307-v1:0', inputTokens: 80, outputTokens: 8 });
  });
});
