/**
 * tenantctl: the command line of the OpenClaw tenant controller.
 * Each verb lives in controller/cli/<verb>.ts; this file only dispatches.
 */
import { ControllerError, UsageError } from '../contract/errors.js';
import { EXIT, parseCommandArgs, type CliIo, type Command } from './cli/command.js';
import { validateCommand } from './cli/validate.js';
import { planCommand } from './cli/plan.js';
import { applyCommand } from './cli/apply.js';
import { runCommand } from './cli/run.js';
import { poolWorkerCommand } from './cli/pool-worker.js';
import { triggerCommand } from './cli/trigger.js';
import { confirmDeletionCommand } from './cli/confirm.js';
import { statusCommand } from './cli/status.js';
import { describeCommand } from './cli/describe.js';
import { rotateCommand } from './cli/rotate.js';
import { connectCommand } from './cli/connect.js';
import { disconnectCommand } from './cli/disconnect.js';
import { tokenCommand } from './cli/token.js';
import { usageCommand } from './cli/usage.js';
import { pauseCommands } from './cli/pause.js';

const COMMANDS: Command[] = [validateCommand, planCommand, applyCommand, runCommand, poolWorkerCommand, statusCommand, describeCommand, confirmDeletionCommand, triggerCommand, rotateCommand, connectCommand, disconnectCommand, ...pauseCommands, tokenCommand, usageCommand];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: tenantctl <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `tenantctl <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

export const defaultIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
});

/** Runs one verb and returns its exit status: 0 ok, 1 failure, 2 changes (plan), 64 usage error. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    (verb === undefined ? io.stderr : io.stdout)(helpText());
    return verb === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === verb);
  if (!command) {
    io.stderr(`tenantctl: unknown command ${JSON.stringify(verb)} (allowed: ${COMMANDS.map((c) => c.name).join(', ')})\n`);
    return EXIT.usage;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      io.stdout(`usage: ${command.usage}\n\n${command.summary}\n`);
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tenantctl ${verb}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ControllerError && error.code === 'CONFIG_INVALID') {
      io.stderr(`tenantctl ${verb}: ${error.message}\n`);
      return EXIT.failure;
    }
    io.stderr(`tenantctl ${verb}: ${describe(error)}\n`);
    return EXIT.failure;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const causes: string[] = [error.message];
  let cause = error.cause;
  while (cause instanceof Error && causes.length < 4) {
    causes.push(cause.message);
    cause = cause.cause;
  }
  return causes.join(': ');
}
