#!/usr/bin/env node
// Entry point of the `tenantctl` bin: loads the TypeScript CLI through tsx so that
// `npx tenantctl <verb>` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../controller/cli.ts');
process.exitCode = await main(process.argv.slice(2));
