/**
 * The language model behind the agents: Amazon Bedrock when OPENCLAW_BEDROCK_MODEL_ID is set,
 * else a deterministic, extractive summariser that needs no network (tests, local runs).
 */
export interface ModelUsage {
  model: string | null;
  inputTokens: number;
  outputTokens: number;
}

export interface Summariser {
  readonly name: string;
  /** A short summary of `texts`, guided by `instruction`. */
  summarise(instruction: string, texts: readonly string[]): Promise<string>;
  /** Tokens used so far; `model` is null while the model was never called. */
  usage(): ModelUsage;
}

const STOPWORDS = new Set(
  'the and for with that this from have has are was were will would your you our not but all any can into about their there them they then than been its per via out use'.split(' '),
);

export const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);

function sentences(texts: readonly string[]): string[] {
  return texts.flatMap((text) => text.split(/(?<=[.!?])\s+|\n+/)).map((s) => s.trim()).filter((s) => words(s).length > 0);
}

const terms = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2 && !STOPWORDS.has(w));

/**
 * Extractive: scores each sentence by the corpus frequency of its terms (normalised by length),
 * keeps the best `maxSentences` in their original order. Same input, same output; tokens are words.
 */
export function extractiveSummary(texts: readonly string[], maxSentences = 3): string {
  const all = sentences(texts);
  const frequency = new Map<string, number>();
  for (const sentence of all) for (const term of new Set(terms(sentence))) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  const scored = all.map((sentence, index) => {
    const t = terms(sentence);
    const score = t.length === 0 ? 0 : t.reduce((sum, term) => sum + (frequency.get(term) ?? 0), 0) / Math.sqrt(t.length);
    return { sentence, index, score };
  });
  const best = [...scored].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, maxSentences);
  return best.sort((a, b) => a.index - b.index).map((s) => s.sentence).join(' ');
}

export function offlineSummariser(): Summariser {
  const usage: ModelUsage = { model: null, inputTokens: 0, outputTokens: 0 };
  return {
    name: 'offline-extractive',
    async summarise(instruction, texts) {
      const output = extractiveSummary(texts);
      usage.model = 'offline-extractive';
      usage.inputTokens += words(instruction).length + texts.reduce((n, t) => n + words(t).length, 0);
      usage.outputTokens += words(output).length;
      return output;
    },
    usage: () => ({ ...usage }),
  };
}

/**
 * The model, until the run has used `allowance` tokens: past it, summaries come from the offline
 * summariser and the model is not called again (the tenant's monthly token budget is spent).
 */
export function withTokenAllowance(model: Summariser, allowance: number, onExceeded: (used: number) => void): Summariser {
  let exceeded = false;
  return {
    name: model.name,
    async summarise(instruction, texts) {
      const used = model.usage();
      if (!exceeded && used.inputTokens + used.outputTokens >= allowance) {
        exceeded = true;
        onExceeded(used.inputTokens + used.outputTokens);
      }
      return exceeded ? extractiveSummary(texts) : model.summarise(instruction, texts);
    },
    usage: () => model.usage(),
  };
}
