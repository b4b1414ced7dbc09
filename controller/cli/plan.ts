import { renderPlanMarkdown, renderPlanText, planJson } from '../engine/render.js';
import { countChanges } from '../engine/types.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { readValidSnapshot, withController } from './context.js';

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
      const snapshot = await readValidSnapshot(ctx, io, 'nothing planned');
      if (!snapshot) return EXIT.failure;
      const { plan } = await ctx.reconciler.plan(snapshot);
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
