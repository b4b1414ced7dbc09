import { renderPlanText } from '../engine/render.js';
import { CONFIRMED_DELETION } from '../engine/confirmation.js';
import { EXIT, OUTPUT_OPTION, outputFormat, stringOption, type Command } from './command.js';
import { readValidSnapshot, withController } from './context.js';

const usage = 'tenantctl apply [DIR] [--confirm-deletion REVISION] [--output text|json]';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Run one reconcile pass: plan, then apply that plan; exit 1 when any tenant failed',
  usage,
  options: { ...OUTPUT_OPTION, 'confirm-deletion': { type: 'string' } },
  maxPositionals: 1,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'json'] as const, usage);
    return withController(io, args.positionals[0], async (ctx) => {
      const snapshot = await readValidSnapshot(ctx, io, 'nothing applied');
      if (!snapshot) return EXIT.failure;
      const confirmed = stringOption(args, 'confirm-deletion');
      if (confirmed) await ctx.store.setState(CONFIRMED_DELETION, { revision: confirmed, at: new Date(ctx.now()).toISOString() });
      if (!(await ctx.loop.accept(snapshot)).snapshot) {
        io.stderr(`no valid revision in ${ctx.source.describe()}\n`);
        return EXIT.failure;
      }
      // The same pass as the run loop's: confirmations (flag, stored, annotation), held records, lastPass.
      const report = await ctx.loop.pass({
        onPlanned: (planned) => {
          if (format === 'text') io.stdout(renderPlanText(planned.plan));
        },
      });
      if (!report) return EXIT.failure;
      const failed = report.outcomes.filter((o) => o.error);
      if (format === 'json') {
        io.stdout(`${JSON.stringify({ revision: report.revision, changesApplied: report.changesApplied, driftCorrected: report.driftCorrected, held: report.held, failed: failed.map((o) => ({ tenant: o.tenant, error: o.error })) }, null, 2)}\n`);
      } else {
        io.stdout(`Applied ${report.changesApplied} change(s) in ${report.durationMs} ms${report.driftCorrected ? `, ${report.driftCorrected} drift correction(s)` : ''}.\n`);
        for (const o of failed) io.stdout(`  ${o.tenant}: ${o.error!.message}${o.error!.retryable ? ' (will retry)' : ' (stopped: fix the cause, then change the manifest)'}\n`);
        for (const h of report.held) io.stdout(`  held ${h.tenant}: ${h.reason}\n`);
      }
      return failed.length > 0 ? EXIT.failure : EXIT.ok;
    });
  },
};
