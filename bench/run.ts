/**
 * `npm run bench`: the benchmarks of docs/PERFORMANCE.md. Prints JSON Lines on stdout: one object per
 * line, the first `{"scenario":"environment",…}`, then one per scenario; progress goes to stderr.
 * Real time throughout: the AWS double sleeps its latency and its quotas run on the wall clock.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { helpText, parseOptions } from './options.js';
import { runBench } from './suite.js';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  const out = options.out;
  if (out) writeFileSync(out, '');
  const started = performance.now();
  await runBench(
    options,
    (result) => {
      const line = `${JSON.stringify(result)}\n`;
      process.stdout.write(line);
      if (out) appendFileSync(out, line);
    },
    (line) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}\n`),
  );
  process.stderr.write(`[bench] done in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
