/** The scale scenarios that need a process of their own (see scale-child.ts). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../contract/json.js';
import { childEntry } from './child-entry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = childEntry(import.meta.url, 'scale-child');

export function runScaleChild(mode: 'validate' | 'memory' | 'poll', count: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...CHILD.execArgv, CHILD.file, mode, String(count)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`scale child (${mode} ${count}) exited with ${code}: ${err.trim()}`));
      let result: unknown;
      try {
        result = JSON.parse(out);
      } catch (error) {
        return reject(new Error(`scale child (${mode} ${count}) printed no JSON: ${out.slice(0, 200)} ${err.slice(0, 200)}`, { cause: error }));
      }
      if (isRecord(result)) resolve(result);
      else reject(new Error(`scale child (${mode} ${count}) printed JSON that is not an object: ${out.slice(0, 200)}`));
    });
  });
}
