/** The scenarios that need a process of their own (see scale-child.ts and restart-child.ts). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../contract/json.js';
import { childEntry } from './child-entry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs the benchmark child `name` (a module beside this one) with `args`, and resolves with the one JSON
 * object it prints. `env` is added to this process's environment (never argv: it may hold a database
 * URL); `nodeFlags` are node's own flags (a heap cap), besides --expose-gc.
 */
export function runBenchChild(name: string, args: readonly string[], extra: { env?: Record<string, string>; nodeFlags?: readonly string[]; stderr?: (chunk: string) => void } = {}): Promise<Record<string, unknown>> {
  const entry = childEntry(import.meta.url, name);
  const label = [name, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...(extra.nodeFlags ?? []), ...entry.execArgv, entry.file, ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extra.env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => {
      err = (err + chunk).slice(-4_000);
      extra.stderr?.(String(chunk));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`benchmark child (${label}) exited with ${code}: ${err.trim()}`));
      let result: unknown;
      try {
        result = JSON.parse(out);
      } catch (error) {
        return reject(new Error(`benchmark child (${label}) printed no JSON: ${out.slice(0, 200)} ${err.slice(0, 200)}`, { cause: error }));
      }
      if (isRecord(result)) resolve(result);
      else reject(new Error(`benchmark child (${label}) printed JSON that is not an object: ${out.slice(0, 200)}`));
    });
  });
}

export function runScaleChild(mode: 'validate' | 'memory' | 'poll', count: number): Promise<Record<string, unknown>> {
  return runBenchChild('scale-child', [mode, String(count)]);
}
