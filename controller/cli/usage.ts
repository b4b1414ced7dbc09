import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../../contract/errors.js';
import { formatUsd } from '../usage/cost.js';
import { closePeriod, toCsv, toJsonLines } from '../usage/export.js';
import { parseRange, usageReport, type UsageReport } from '../usage/report.js';
import { EXIT, outputFormat, type Command } from './command.js';
import { withStore } from './context.js';
import { renderTable } from './status.js';

const usage = 'tenantctl usage [TENANT] [--from DATE] [--to DATE] [--output text|json|csv]\n       tenantctl usage export --period YYYY-MM [--dir DIR]';

export const usageCommand: Command = {
  name: 'usage',
  summary: 'Usage, cost and margin per tenant and meter; `usage export --period YYYY-MM` closes a month and writes billing records',
  usage,
  options: { from: { type: 'string' }, to: { type: 'string' }, output: { type: 'string', short: 'o' }, period: { type: 'string' }, dir: { type: 'string' } },
  maxPositionals: 1,
  async run(args, io) {
    if (args.positionals[0] === 'export') return exportPeriod(args.values, io);
    if (args.values.period !== undefined || args.values.dir !== undefined) throw new UsageError(`--period and --dir belong to \`usage export\`\nusage: ${usage}`);
    const format = outputFormat(args, ['text', 'json', 'csv'] as const, usage);
    return withStore(io, async (ctx) => {
      const range = parseRange(args.values.from, args.values.to, ctx.now());
      if ('problem' in range) throw new UsageError(`--${range.problem}\nusage: ${usage}`);
      const report = await usageReport({ pool: ctx.pool, store: ctx.store, prices: ctx.config.usage.prices, alertShare: ctx.config.usage.alertShare }, range, args.positionals[0]);
      if (args.positionals[0] && report.tenants.length === 0) {
        io.stderr(`tenantctl usage: no tenant named ${args.positionals[0]}\n`);
        return EXIT.failure;
      }
      io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'csv' ? reportCsv(report) : renderUsage(report));
      return EXIT.ok;
    });
  },
};

/** Pure: the text of `tenantctl usage`. */
export function renderUsage(report: UsageReport): string {
  const lines = [`Usage from ${report.from} to ${report.to} (list prices of ${report.pricesTakenOn})`, ''];
  if (report.tenants.length === 0) lines.push('No tenants in the status store yet.');
  for (const t of report.tenants) {
    const share = `${(t.costShare * 100).toFixed(1)}%`;
    lines.push(`${t.tenant} (${t.tier}): cost ${formatUsd(t.costUsd)} of price ${formatUsd(t.priceUsd)}, margin ${formatUsd(t.marginUsd)} (cost ${share} of price${t.overShare ? `, OVER ${(report.alertShare * 100).toFixed(0)}%` : ''})`);
    lines.push(...renderTable([
      ['METER', 'DIMENSION', 'QUANTITY', 'COST'],
      ...t.lines.map((l) => [l.meter, l.dimension || '-', quantity(l.quantity), `${formatUsd(l.costUsd)}${l.unpriced ? ' (no price)' : ''}`]),
      ['fixed', 'secrets, base share', '-', formatUsd(t.fixedUsd)],
    ], '  '), '');
  }
  return `${lines.join('\n')}\n`;
}

const quantity = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3));

/** Pure: one CSV row per tenant and meter, then a total row per tenant with its price and margin. */
export function reportCsv(report: UsageReport): string {
  const rows = [['tenant', 'tier', 'meter', 'dimension', 'quantity', 'cost_usd', 'price_usd', 'margin_usd'].join(',')];
  for (const t of report.tenants) {
    for (const l of t.lines) rows.push([t.tenant, t.tier, l.meter, l.dimension, l.quantity, l.costUsd.toFixed(6), '', ''].join(','));
    rows.push([t.tenant, t.tier, 'fixed', '', '', t.fixedUsd.toFixed(6), '', ''].join(','));
    rows.push([t.tenant, t.tier, 'total', '', '', t.costUsd.toFixed(6), t.priceUsd.toFixed(2), t.marginUsd.toFixed(6)].join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

async function exportPeriod(values: Record<string, string | boolean | undefined>, io: Parameters<Command['run']>[1]): Promise<number> {
  if (typeof values.period !== 'string') throw new UsageError(`usage export needs --period YYYY-MM\nusage: ${usage}`);
  const period = values.period;
  const dir = resolve(io.cwd, typeof values.dir === 'string' ? values.dir : '.');
  return withStore(io, async (ctx) => {
    const result = await closePeriod(ctx.pool, period, new Date(ctx.now()), ctx.config.usage.prices);
    await mkdir(dir, { recursive: true });
    const files = await writeExport(dir, period, result.records);
    const missing = [...new Set(result.records.filter((r) => !r.customerRef).map((r) => r.tenant))];
    if (missing.length) io.stderr(`tenantctl usage export: no spec.billing.customerRef for ${missing.join(', ')}: their records are in the CSV only\n`);
    io.stdout(`period ${period} ${result.closedNow ? 'closed' : `was closed ${result.closedAt.toISOString()}`}: ${result.records.length} record(s)\n${files.map((f) => `  ${f}`).join('\n')}\n`);
    return EXIT.ok;
  });
}

/** Writes `usage-<period>.jsonl` and `.csv` whole or not at all (temp file, then rename). */
export async function writeExport(dir: string, period: string, records: Parameters<typeof toCsv>[0]): Promise<string[]> {
  const files: [string, string][] = [[join(dir, `usage-${period}.jsonl`), toJsonLines(records)], [join(dir, `usage-${period}.csv`), toCsv(records)]];
  for (const [file, body] of files) {
    const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, body);
    await rename(temp, file);
  }
  return files.map(([file]) => file);
}
