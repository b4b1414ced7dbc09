import { resolve } from 'node:path';
import { destination } from 'pino';
import { createLogger } from '../../contract/logger.js';
import { openController, openStore, type ControllerContext, type OpenOptions, type StoreContext } from '../main.js';
import { formatIssue } from '../manifests/validate.js';
import type { SourceSnapshot } from '../source/types.js';
import type { CliIo } from './command.js';

/** Options a command passes to the composition root; tests reach in through `cliOverrides`. */
export const cliOverrides: { open?: Partial<OpenOptions> } = {};

/**
 * Reads the source once for plan and apply; an invalid revision is printed, every error
 * with its position, and undefined returned (the command then exits 1 and changes nothing).
 */
export async function readValidSnapshot(ctx: ControllerContext, io: CliIo, outcome: string): Promise<SourceSnapshot | undefined> {
  const snapshot = await ctx.source.load();
  if (snapshot.issues.length === 0) return snapshot;
  for (const issue of snapshot.issues) io.stderr(`${formatIssue(issue)}\n`);
  io.stderr(`revision ${snapshot.revision} is invalid: ${outcome}\n`);
  return undefined;
}

/** The environment a command runs with: `[DIR]` overrides the manifest directory (and any git source). */
export function commandEnv(io: CliIo, dir: string | undefined): Record<string, string | undefined> {
  if (!dir) return io.env;
  return { ...io.env, OPENCLAW_TENANTS_DIR: resolve(io.cwd, dir), OPENCLAW_GIT_URL: undefined };
}

/** One-shot commands log to stderr (warnings only, unless OPENCLAW_LOG_LEVEL says otherwise), keeping stdout for output. */
function stderrLogger(io: CliIo) {
  return createLogger({ level: io.env.OPENCLAW_LOG_LEVEL ?? 'warn', destination: destination({ fd: 2, sync: true }) });
}

export async function withController<T>(io: CliIo, dir: string | undefined, fn: (ctx: ControllerContext) => Promise<T>, open: Pick<OpenOptions, 'readOnly'> = {}): Promise<T> {
  const ctx = await openController({ log: stderrLogger(io), ...cliOverrides.open, ...open, env: commandEnv(io, dir), cwd: io.cwd });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

export async function withStore<T>(io: CliIo, fn: (ctx: StoreContext) => Promise<T>): Promise<T> {
  const ctx = await openStore({ log: stderrLogger(io), ...cliOverrides.open, env: io.env, cwd: io.cwd });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
