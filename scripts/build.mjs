#!/usr/bin/env node
// `npm run build [-- <out> [--no-check]]`: the production build. tsc compiles contract/, controller/ and
// agents/ (tsconfig.build.json) into <out> (dist/ by default) with the repository's layout, and the files
// the code reads relative to its own module (migrations/, crds/, the status page's assets) and the bin are
// copied beside them, so that <out> runs as it is: `node <out>/bin/tenantctl.js`. The image runs it as /app.
// <out> is emptied first; a directory that is neither new, empty nor a previous build is refused.
// --no-check emits without type checking or reading dependencies' types (seconds instead of half a minute),
// for tests: `npm run typecheck` checks the same files. --bench adds bench/ and the parts of test/ it uses
// (tsconfig.bench.json): `npm run bench:compiled` measures the compiled controller.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Read at run time relative to the modules (new URL('…', import.meta.url)), or run as they are. */
const ASSETS = ['bin', 'migrations', 'crds', 'controller/status/page'];

const FLAGS = ['--no-check', '--bench'];
const args = process.argv.slice(2);
const unknown = args.filter((a) => a.startsWith('-') && !FLAGS.includes(a));
const dirs = args.filter((a) => !a.startsWith('-'));
const out = resolve(ROOT, dirs[0] ?? 'dist');
// The output directory is emptied first, so it must be new, empty or a previous build (its marker file):
// never the repository, a folder of it such as test/, or anything else that happens to be there.
const MARKER = '.openclaw-build';
const reusable = !existsSync(out) || readdirSync(out).length === 0 || existsSync(join(out, MARKER));
const refusal =
  unknown.length > 0 ? `unknown option ${unknown.join(', ')} (allowed: ${FLAGS.join(', ')})`
  : dirs.length > 1 ? `one output directory at most, got ${dirs.join(', ')}`
  : !reusable ? `${out} exists and is not a previous build (no ${MARKER} in it): name a new or empty directory, such as dist/`
  : undefined;
if (refusal) {
  console.error(`build: ${refusal}`);
  process.exit(2);
}
const noCheck = args.includes('--no-check');
const project = args.includes('--bench') ? 'tsconfig.bench.json' : 'tsconfig.build.json';

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const flags = noCheck ? ['--noCheck', '--noResolve'] : [];
const { status } = spawnSync(process.execPath, [tsc, '-p', join(ROOT, project), '--outDir', out, ...flags], { stdio: 'inherit' });
if (status !== 0) {
  process.exitCode = status ?? 1;
} else {
  for (const asset of ASSETS) cpSync(join(ROOT, asset), join(out, asset), { recursive: true });
  writeFileSync(join(out, MARKER), 'Built by scripts/build.mjs: the next build empties this directory.\n');
}
