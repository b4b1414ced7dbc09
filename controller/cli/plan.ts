import { renderPlanMarkdown, renderPlanText, planJson } from '../engine/render.js';
import { countChanges } from '../engine/types.js';
import { formatIssue } from '../manifests/validate.js';
import { requireSnapshot } from '../engine/controller.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withController } from './context.js';

const usage = 'tenantctl plan [DIR] [--output text|markdown|json]';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what apply would change, against the live state; exit 0 no changes, 2 changes, 1 error',
  usage,
  options: OUTPUT_OPTION,
  maxPositionals: 1,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'markdown', 'json'] as const, usage);
    return withController(io, args.positionals[0], async (ctx) => {
      const snapshot = await ctx.source.load();
      if (snapshot.issues.length > 0) {
        for (const issue of snapshot.issues) io.stderr(`${formatIssue(issue)}\n`);
        io.stderr(`revision ${snapshot.revision} is invalid: nothing planned\n`);
        return EXIT.failure;
      }
      const { plan } = await ctx.reconciler.plan(requireSnapshot(snapshot, ctx.source));
      if (format === 'json') io.stdout(`${JSON.stringify(planJson(plan), null, 2)}\n`);
      else if (format === 'markdown') io.stdout(renderPlanMarkdown(plan));
      else io.stdout(renderPlanText(plan));
      const counts = countChanges(plan);
      const errors = plan.tenants.some((t) => t.errors.length > 0);
      if (errors) return EXIT.failure;
      return counts.create + counts.update + counts.delete > 0 || plan.held.length > 0 ? EXIT.changes : EXIT.ok;
    });
  },
};
