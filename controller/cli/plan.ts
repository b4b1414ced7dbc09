import { schemaNotes } from '../db/schema-state.js';
import { rejectionOf } from '../engine/controller.js';
import { renderPlanMarkdown, renderPlanText, planJson } from '../engine/render.js';
import { countChanges } from '../engine/types.js';
import { formatIssue } from '../manifests/validate.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';
import { withController } from './context.js';

const usage = 'tenantctl plan [DIR] [--confirm-deletion REVISION] [--output text|markdown|json]';

/**
 * What `apply` would do, built as apply builds it (the run loop's planFor: stored and annotated
 * confirmations, held records, the same rule for an invalid or empty source), on a read-only
 * connection that runs no migration and writes nothing, so a pull request can plan with a role
 * that has only pg_read_all_data. What the database does not let it see is printed as notes.
 */
export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what apply would do, against the live state, writing nothing; exit 0 no changes, 2 changes, 1 error',
  usage,
  options: { ...OUTPUT_OPTION, 'confirm-deletion': { type: 'string' } },
  maxPositionals: 1,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'markdown', 'json'] as const, usage);
    const confirmed = args.values['confirm-deletion'];
    return withController(io, args.positionals[0], async (ctx) => {
      const snapshot = await ctx.source.load();
      const rejection = rejectionOf(snapshot);
      if (rejection) {
        for (const issue of snapshot.issues) io.stderr(`${formatIssue(issue)}\n`);
        io.stderr(`revision ${snapshot.revision} is not applied (${snapshot.issues.length > 0 ? 'invalid' : rejection}): nothing planned\n`);
        return EXIT.failure;
      }
      const { planned: { plan } } = await ctx.loop.planFor(snapshot, { confirmedRevision: typeof confirmed === 'string' ? confirmed : undefined });
      const notes = ctx.schema ? schemaNotes(ctx.schema) : [];
      if (format === 'json') {
        io.stdout(`${JSON.stringify({ ...planJson(plan), notes }, null, 2)}\n`);
      } else {
        io.stdout(format === 'markdown' ? renderPlanMarkdown(plan) : renderPlanText(plan));
        for (const note of notes) io.stdout(format === 'markdown' ? `\n> **Note:** ${note}\n` : `Note: ${note}\n`);
      }
      const counts = countChanges(plan);
      if (plan.fleet.errors.length > 0 || plan.tenants.some((t) => t.errors.length > 0)) return EXIT.failure;
      return counts.create + counts.update + counts.delete > 0 || plan.held.length + plan.quotaHeld.length > 0 ? EXIT.changes : EXIT.ok;
    }, { readOnly: true });
  },
};
