import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../controller/config.js';
import { costLines, monthsIn, tenantCost } from '../../controller/usage/cost.js';
import { METERS } from '../../contract/meters.js';
import { DEFAULT_PRICES, parsePriceOverride } from '../../controller/usage/prices.js';

const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const NOVEMBER = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
const readings = [
  { meter: METERS.modelInputTokens, dimension: HAIKU, quantity: 1_000_000 },
  { meter: METERS.modelOutputTokens, dimension: HAIKU, quantity: 200_000 },
  { meter: METERS.fargateVcpuSeconds, dimension: 'on-demand', quantity: 36_000 },
  { meter: METERS.fargateGbSeconds, dimension: 'on-demand', quantity: 72_000 },
  { meter: METERS.fargateVcpuSeconds, dimension: 'spot', quantity: 3_600 },
  { meter: METERS.emailsSent, dimension: '', quantity: 2_000 },
  { meter: METERS.runSeconds, dimension: 'butler', quantity: 36_000 },
  { meter: METERS.modelInputTokens, dimension: 'acme.unknown-model', quantity: 500 },
];

describe('cost arithmetic', () => {
  it('prices a month of a professional tenant as computed by hand', () => {
    const { prices } = parsePriceOverride({ baseInfrastructurePerTenantMonth: 5 }, 'test');
    const cost = tenantCost('globex', 'professional', readings, { secrets: 3 }, NOVEMBER, prices);
    // 1,000 × $0.0008 + 200 × $0.004 + 10 vCPU-h × $0.04048 + 20 GB-h × $0.004445 + 1 spot vCPU-h × $0.04048 × 0.3 + 2 × $0.10
    expect(cost.usageUsd).toBeCloseTo(0.8 + 0.8 + 0.4048 + 0.0889 + 0.012144 + 0.2, 9);
    // 3 secrets × $0.40 + $5 base share
    expect(cost.fixedUsd).toBeCloseTo(6.2, 9);
    expect(cost.costUsd).toBeCloseTo(8.505844, 9);
    expect(cost.priceUsd).toBe(699);
    expect(cost.marginUsd).toBeCloseTo(690.494156, 9);
    expect(cost.costShare).toBeCloseTo(8.505844 / 699, 12);
  });

  it('costs a model missing from the price table at zero and marks the line unpriced', () => {
    const line = costLines(readings, DEFAULT_PRICES).find((l) => l.dimension === 'acme.unknown-model');
    expect(line).toMatchObject({ costUsd: 0, unpriced: true });
    expect(costLines(readings, DEFAULT_PRICES).find((l) => l.meter === METERS.runSeconds)).toEqual({ ...readings[6], costUsd: 0 });
  });

  it('prorates the tier price and fixed costs over the days of each month a range covers', () => {
    expect(monthsIn(NOVEMBER.from, NOVEMBER.to)).toBe(1);
    expect(monthsIn(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-16T00:00:00Z'))).toBe(0.5);
    // 16 of 31 days of October and 15 of 30 of November
    expect(monthsIn(new Date('2026-10-16T00:00:00Z'), new Date('2026-11-16T00:00:00Z'))).toBeCloseTo(16 / 31 + 0.5, 9);
    const half = tenantCost('acme', 'starter', [], { secrets: 2 }, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-16T00:00:00Z') }, DEFAULT_PRICES);
    expect(half).toMatchObject({ priceUsd: 149.5, fixedUsd: 0.4, usageUsd: 0 });
  });
});

describe('the price table', () => {
  it('ships the tier prices docs/USAGE.md states', () => {
    const usage = readFileSync(new URL('../../docs/USAGE.md', import.meta.url), 'utf8');
    const dollars = (n: number) => `$${n.toLocaleString('en-US')}`;
    const { starter, professional, enterprise } = DEFAULT_PRICES.tiers;
    expect(usage).toContain(`tier prices (${dollars(starter)}, ${dollars(professional)}, ${dollars(enterprise)} a month)`);
  });

  it('lays an override over the shipped table, adding a model and keeping what it does not name', () => {
    const { prices, problems } = parsePriceOverride({ models: { 'meta.llama3-8b': { inputPer1k: 0.0003, outputPer1k: 0.0006 } }, tiers: { starter: 349 } }, 'f');
    expect(problems).toEqual([]);
    expect(prices.models['meta.llama3-8b']).toEqual({ inputPer1k: 0.0003, outputPer1k: 0.0006 });
    expect(prices.models[HAIKU]).toEqual(DEFAULT_PRICES.models[HAIKU]);
    expect(prices.tiers).toEqual({ starter: 349, professional: 699, enterprise: 1999 });
  });

  it('names every bad value of an override with where it is and what is allowed', () => {
    const { problems } = parsePriceOverride({ fargate: { vcpuHour: -1, spotDiscount: 2 }, tiers: { gold: 1 }, models: { 'new.model': { inputPer1k: 1 } }, sees: {} }, 'prices.json');
    expect(problems).toEqual([
      'prices.json: fargate.vcpuHour: -1 is not valid (allowed: a number from 0 to 1000)',
      'prices.json: fargate.spotDiscount: 2 is not valid (allowed: a number from 0 to 1)',
      'prices.json: tiers.gold: unknown key (allowed: starter, professional, enterprise)',
      'prices.json: models.new.model: a new model needs both inputPer1k and outputPer1k',
      expect.stringMatching(/^prices\.json: sees: unknown key \(allowed: takenOn, currency, models/),
    ]);
  });

  it('is validated at start: a bad prices file stops the configuration with every problem named', () => {
    expect(() => loadConfig({ OPENCLAW_PRICES_FILE: '/nonexistent/prices.json' })).toThrow(/OPENCLAW_PRICES_FILE: "\/nonexistent\/prices.json" cannot be read \(ENOENT\)/);
    expect(() => loadConfig({ OPENCLAW_USAGE_ALERT_SHARE: '3' })).toThrow(/OPENCLAW_USAGE_ALERT_SHARE: "3" is not valid/);
    expect(loadConfig({}).usage).toEqual({ prices: DEFAULT_PRICES, alertShare: 0.5 });
  });
});
