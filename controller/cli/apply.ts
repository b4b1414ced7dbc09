import { renderPlanText } from '../engine/render.js';
import { formatIssue } from '../manifests/validate.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withController } from './context.js';

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
      const snapshot = await ctx.source.load();
      if (snapshot.issues.length > 0) {
        for (const issue of snapshot.issues) io.stderr(`${formatIssue(issue)}\n`);
        io.stderr(`revision ${snapshot.revision} is invalid: nothing applied\n`);
        return EXIT.failure;
      }
      const confirmed = args.values['confirm-deletion'] as string | undefined;
      if (confirmed) await ctx.store.setState('confirmedDeletion', { revision: confirmed, at: new Date(ctx.now()).toISOString() });
      const { snapshot: current } = await ctx.loop.refreshSource();
      if (!current) {
        io.stderr(`no valid revision in ${ctx.source.describe()}\n`);
        return EXIT.failure;
      }
      // The CLI flag, a stored confirmation or a manifest annotation, as the run loop reads them.
      const planned = await ctx.reconciler.plan(current, { confirmedRevision: confirmed ?? (await ctx.loop.confirmation(current)).revision });
      if (format === 'text') io.stdout(renderPlanText(planned.plan));
      const report = await ctx.reconciler.apply(planned);
      await ctx.store.setState('lastPass', { at: report.startedAt, durationMs: report.durationMs, revision: report.revision, changes: report.changesApplied, drift: report.driftCorrected });
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
