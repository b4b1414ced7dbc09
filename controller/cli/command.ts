import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage, UsageError } from '../../contract/errors.js';
import { isOneOf } from '../../contract/one-of.js';
import type { Principal } from '../status/access/principal.js';

/** Where a command writes; injected so tests run commands in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** One verb of tenantctl. Adding a verb is adding one module that exports one of these. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  maxPositionals: number;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/**
 * Exit statuses. `plan` follows `terraform plan -detailed-exitcode` (0 no changes, 1 error, 2 changes);
 * a usage error (unknown command or option, bad argument) is 64 (EX_USAGE), so CI tells a typo from a change.
 */
export const EXIT = { ok: 0, failure: 1, changes: 2, usage: 64 } as const;

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${errorMessage(error).replace(/\. To specify a positional.*$/s, '')}\nusage: ${command.usage}`);
  }
  if (parsed.positionals.length > command.maxPositionals) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[command.maxPositionals])}\nusage: ${command.usage}`);
  }
  // No option is declared `multiple`, so every value is a string, a boolean or unset.
  const values: ParsedArgs['values'] = {};
  for (const [name, value] of Object.entries(parsed.values)) if (!Array.isArray(value)) values[name] = value;
  return { positionals: parsed.positionals, values };
}

export const OUTPUT_OPTION: OptionSpec = { output: { type: 'string', short: 'o' } };

/** A string option's value (a boolean flag of that name reads as unset). */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The --output value, checked against what this command can print. */
export function outputFormat<T extends string>(args: ParsedArgs, allowed: readonly T[], usage: string): T {
  const value = stringOption(args, 'output') ?? allowed[0];
  if (!isOneOf(allowed, value)) {
    throw new UsageError(`--output ${JSON.stringify(value)} is not supported (allowed: ${allowed.join(', ')})\nusage: ${usage}`);
  }
  return value;
}

/** Who runs a verb, for confirmations, tokens and the audit log. */
export function operatorName(env: Record<string, string | undefined>): string {
  const name = env.USER ?? env.LOGNAME;
  if (name) return name;
  try {
    return userInfo().username;
  } catch {
    return 'an operator';
  }
}

/** The audit log's principal for a verb run from a shell with the controller's database credentials. */
export function cliPrincipal(env: Record<string, string | undefined>): Principal {
  return { subject: operatorName(env), role: 'operator', via: 'cli' };
}
