import { TIERS, type Tier } from '../../contract/catalog.js';
import { isOneOf } from '../../contract/one-of.js';

/**
 * The price table costs are computed with: list prices in US dollars. Shipped with AWS's public
 * on-demand list prices for us-east-1 (Amazon Bedrock, AWS Fargate Linux/x86, Amazon SES, AWS
 * Secrets Manager) as published on aws.amazon.com/pricing on the date in `takenOn`, and the
 * product's tier prices. Overridden, in part or whole, by the JSON file OPENCLAW_PRICES_FILE
 * (checked at start by controller/config.ts with `parsePriceOverride`).
 */
export interface PriceTable {
  /** When the list prices were taken (YYYY-MM-DD). */
  takenOn: string;
  currency: 'USD';
  /** Per model id: dollars per 1,000 input and per 1,000 output tokens. */
  models: Record<string, { inputPer1k: number; outputPer1k: number }>;
  fargate: {
    vcpuHour: number;
    gbHour: number;
    /** Fargate Spot's discount on both rates, as a fraction (0.7: Spot costs 30 % of on-demand). */
    spotDiscount: number;
  };
  ses: { per1000Emails: number };
  secretsManager: { perSecretMonth: number };
  /** What each tenant is charged a month, by tier. */
  tiers: Record<Tier, number>;
  /** Each tenant's share of the shared base infrastructure (cluster, database, NAT…) a month. */
  baseInfrastructurePerTenantMonth: number;
  /** Dollars per 1,000 items a connector ingests (API calls, storage); 0 by default. */
  connectorPer1000Items: number;
}

export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({
  takenOn: '2026-12-02',
  currency: 'USD',
  models: {
    'anthropic.claude-3-5-haiku-20241022-v1:0': { inputPer1k: 0.0008, outputPer1k: 0.004 },
    'anthropic.claude-3-5-sonnet-20241022-v2:0': { inputPer1k: 0.003, outputPer1k: 0.015 },
    'anthropic.claude-3-7-sonnet-20250219-v1:0': { inputPer1k: 0.003, outputPer1k: 0.015 },
    'amazon.nova-micro-v1:0': { inputPer1k: 0.000035, outputPer1k: 0.00014 },
    'amazon.nova-lite-v1:0': { inputPer1k: 0.00006, outputPer1k: 0.00024 },
    'amazon.nova-pro-v1:0': { inputPer1k: 0.0008, outputPer1k: 0.0032 },
    // The deterministic summariser of local runs and tests: no model is called.
    'offline-extractive': { inputPer1k: 0, outputPer1k: 0 },
  },
  fargate: { vcpuHour: 0.04048, gbHour: 0.004445, spotDiscount: 0.7 },
  ses: { per1000Emails: 0.1 },
  secretsManager: { perSecretMonth: 0.4 },
  tiers: { starter: 299, professional: 699, enterprise: 1999 },
  baseInfrastructurePerTenantMonth: 0,
  connectorPer1000Items: 0,
});

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Pure: the default table with `override` (parsed JSON) laid over it. Every bad value is named in
 * `problems` with where it is and what is allowed; unknown keys are refused, not ignored.
 */
export function parsePriceOverride(override: Json, where: string, base: PriceTable = DEFAULT_PRICES): { prices: PriceTable; problems: string[] } {
  const problems: string[] = [];
  const prices: PriceTable = structuredClone(base);
  if (!isObject(override)) return { prices, problems: [`${where}: expected a JSON object (allowed keys: ${Object.keys(base).join(', ')})`] };
  const money = (path: string, value: Json, max = 1_000_000): number | undefined => {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max) return value;
    problems.push(`${where}: ${path}: ${JSON.stringify(value)} is not valid (allowed: a number from 0 to ${max})`);
    return undefined;
  };
  const section = <const K extends string>(path: string, value: Json, keys: readonly K[], apply: (key: K, value: Json) => void) => {
    if (!isObject(value)) return void problems.push(`${where}: ${path}: expected an object (allowed keys: ${keys.join(', ')})`);
    for (const [key, child] of Object.entries(value)) {
      if (isOneOf(keys, key)) apply(key, child);
      else problems.push(`${where}: ${path}.${key}: unknown key (allowed: ${keys.join(', ')})`);
    }
  };
  for (const [key, value] of Object.entries(override)) {
    switch (key) {
      case 'takenOn':
        if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) prices.takenOn = value;
        else problems.push(`${where}: takenOn: ${JSON.stringify(value)} is not valid (allowed: a date YYYY-MM-DD)`);
        break;
      case 'currency':
        if (value !== 'USD') problems.push(`${where}: currency: ${JSON.stringify(value)} is not valid (allowed: USD)`);
        break;
      case 'models':
        if (!isObject(value)) { problems.push(`${where}: models: expected an object of model id → { inputPer1k, outputPer1k }`); break; }
        for (const [model, rates] of Object.entries(value)) {
          if (!/^[\w.:/-]{1,256}$/.test(model)) { problems.push(`${where}: models: ${JSON.stringify(model)} is not a model id (allowed: letters, digits and ._:/-)`); continue; }
          const entry = { ...(prices.models[model] ?? { inputPer1k: Number.NaN, outputPer1k: Number.NaN }) };
          section(`models.${model}`, rates, ['inputPer1k', 'outputPer1k'], (k, v) => {
            const n = money(`models.${model}.${k}`, v, 1_000);
            if (n !== undefined) entry[k] = n;
          });
          if (Number.isNaN(entry.inputPer1k) || Number.isNaN(entry.outputPer1k)) problems.push(`${where}: models.${model}: a new model needs both inputPer1k and outputPer1k`);
          prices.models[model] = entry;
        }
        break;
      case 'fargate':
        section('fargate', value, ['vcpuHour', 'gbHour', 'spotDiscount'], (k, v) => {
          const n = money(`fargate.${k}`, v, k === 'spotDiscount' ? 1 : 1_000);
          if (n !== undefined) prices.fargate[k] = n;
        });
        break;
      case 'ses':
        section('ses', value, ['per1000Emails'], (_k, v) => { const n = money('ses.per1000Emails', v); if (n !== undefined) prices.ses.per1000Emails = n; });
        break;
      case 'secretsManager':
        section('secretsManager', value, ['perSecretMonth'], (_k, v) => { const n = money('secretsManager.perSecretMonth', v); if (n !== undefined) prices.secretsManager.perSecretMonth = n; });
        break;
      case 'tiers':
        section('tiers', value, TIERS, (k, v) => { const n = money(`tiers.${k}`, v); if (n !== undefined) prices.tiers[k] = n; });
        break;
      case 'baseInfrastructurePerTenantMonth':
      case 'connectorPer1000Items': {
        const n = money(key, value);
        if (n !== undefined) prices[key] = n;
        break;
      }
      default:
        problems.push(`${where}: ${key}: unknown key (allowed: ${Object.keys(base).join(', ')})`);
    }
  }
  return { prices, problems };
}
