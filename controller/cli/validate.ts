import { resolve } from 'node:path';
import { formatIssue, validateDirectory } from '../manifests/index.js';
import { ControllerError } from '../../contract/errors.js';
import { EXIT, OUTPUT_OPTION, outputFormat, type Command } from './command.js';

const usage = 'tenantctl validate [DIR] [--output text|json]';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check tenant manifests (YAML, CRD schema, semantics); exit 1 when any is invalid',
  usage,
  options: OUTPUT_OPTION,
  maxPositionals: 1,
  async run(args, io) {
    const format = outputFormat(args, ['text', 'json'] as const, usage);
    const dir = resolve(io.cwd, args.positionals[0] ?? io.env.OPENCLAW_TENANTS_DIR ?? 'tenants');
    let result;
    try {
      result = await validateDirectory(dir, { relativeTo: io.cwd });
    } catch (error) {
      if (error instanceof ControllerError && error.code === 'SOURCE_UNAVAILABLE') {
        io.stderr(`error: ${error.message}\n`);
        return EXIT.failure;
      }
      throw error;
    }
    const valid = result.issues.length === 0;
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ valid, files: result.files, tenants: result.tenants.map((t) => t.name), channels: result.channels.map((c) => c.name), errors: result.issues }, null, 2)}\n`);
    } else if (valid) {
      const channels = result.channels.length > 0 ? ` and ${result.channels.length} notification channel${result.channels.length === 1 ? '' : 's'}` : '';
      io.stdout(`${result.tenants.length} tenant${result.tenants.length === 1 ? '' : 's'}${channels} in ${result.files.length} file${result.files.length === 1 ? '' : 's'}: valid\n`);
    } else {
      for (const issue of result.issues) io.stderr(`${formatIssue(issue)}\n`);
      io.stderr(`${result.issues.length} error${result.issues.length === 1 ? '' : 's'} in ${new Set(result.issues.map((i) => i.file)).size} file(s)\n`);
    }
    return valid ? EXIT.ok : EXIT.failure;
  },
};
