/**
 * Entry point of every agent run: `node agents/run.js <agent>` compiled (the command in
 * contract/catalog.ts), in an ECS task or as a child process of the local provider; from source,
 * `node --import tsx agents/run.ts <agent>`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentName } from '../contract/catalog.js';
import { butler } from './butler/index.js';
import { scout } from './scout/index.js';
import { writer } from './writer/index.js';
import type { AgentProgram } from './runtime/agent.js';
import { runAgent } from './runtime/runner.js';

export const PROGRAMS: Readonly<Record<AgentName, AgentProgram>> = Object.freeze({ butler, scout, writer });

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const env = { ...process.env };
  // The credentials stay in this process's memory only: not in the environment of anything it starts.
  delete process.env.OPENCLAW_DB_CREDENTIALS;
  delete process.env.OPENCLAW_INTEGRATION_SECRETS;
  process.exitCode = await runAgent(PROGRAMS, process.argv[2], { env });
}
