/**
 * The AWS double in a child process (aws-double-child, run with `node --expose-gc`, through tsx from source),
 * serving the AWS wire protocols over HTTP on 127.0.0.1, commanded over the IPC channel. The child
 * never outlives the benchmark: close() stops it (SIGKILL after 5 s), an exit of this process kills
 * it, and the child exits by itself when its IPC channel closes (this process gone, however it ended).
 * An unexpected exit of the child is logged with its code, signal and the end of its output, and every
 * later command fails with that error.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../contract/json.js';
import type { Logger } from '../contract/logger.js';
import type { AwsDoubleHost, AwsDoubleUsage, BucketShare, DoubleSetup } from './aws-double-host.js';
import { childEntry } from './child-entry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = childEntry(import.meta.url, 'aws-double-child');
const READY_MS = 120_000;
const STOP_MS = 5_000;
const TAIL = 4_000;

export type ChildCommand = 'reset-calls' | 'usage' | 'bucket-share' | 'stop';
export const CHILD_COMMANDS: readonly ChildCommand[] = ['reset-calls', 'usage', 'bucket-share', 'stop'];

/** Parent → child. */
export interface CommandMessage {
  id: number;
  command: ChildCommand;
}

/** Child → parent: its URL once it serves, then one reply a command. */
export type ChildMessage = { kind: 'ready'; url: string } | { kind: 'reply'; id: number; value: unknown } | { kind: 'reply'; id: number; error: string };

function numberField(record: Record<string, unknown>, key: string, what: string): number {
  const value = record[key];
  if (typeof value !== 'number') throw new Error(`the AWS double's process answered ${what} without a number ${key}`);
  return value;
}

function readUsage(value: unknown): AwsDoubleUsage {
  if (!isRecord(value) || !isRecord(value.countsByOperation)) throw new Error(`the AWS double's process answered usage with ${JSON.stringify(value)}`);
  const counts: Record<string, number> = {};
  for (const [key, count] of Object.entries(value.countsByOperation)) if (typeof count === 'number') counts[key] = count;
  const n = (key: string) => numberField(value, key, 'usage');
  return { pid: n('pid'), cpuMs: n('cpuMs'), rssMB: n('rssMB'), heapUsedMB: n('heapUsedMB'), externalMB: n('externalMB'), peakRssMB: n('peakRssMB'), countsByOperation: counts };
}

function readBucketShare(value: unknown): BucketShare {
  if (!isRecord(value)) throw new Error(`the AWS double's process answered bucket-share with ${JSON.stringify(value)}`);
  const n = (key: string) => numberField(value, key, 'bucket-share');
  return { collected: value.collected === true, heldMB: n('heldMB'), bucketMB: n('bucketMB'), rssMB: n('rssMB') };
}

function describeExit(pid: number | undefined, code: number | null, signal: NodeJS.Signals | null, tail: string): Error {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return new Error(`the AWS double's process (pid ${pid}) ${how}${tail.trim() ? `; its last output: ${tail.trim()}` : ''}`);
}

/** Starts the child and resolves once it serves; rejects with its exit and output if it ends before. */
export async function startAwsDoubleProcess(setup: DoubleSetup, log: Logger): Promise<AwsDoubleHost> {
  const child: ChildProcess = fork(CHILD.file, [JSON.stringify(setup)], {
    cwd: ROOT, execArgv: ['--expose-gc', ...CHILD.execArgv], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json',
  });
  let tail = '';
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-TAIL); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // This process ending any way that runs its exit handlers (a finished run, process.exit on a failure) kills the child.
  const guard = () => child.kill('SIGKILL');
  process.on('exit', guard);

  let failure: Error | undefined;
  let stopping = false;
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', guard);
      if (!stopping) {
        failure = describeExit(child.pid, code, signal, tail);
        log.error({ pid: child.pid, code, signal, output: tail.trim() }, "the AWS double's process ended unexpectedly");
      }
      for (const p of pending.values()) p.reject(failure ?? new Error("the AWS double's process was stopped"));
      pending.clear();
      resolve();
    });
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the AWS double's process did not serve within ${READY_MS / 1000} s: ${tail.trim()}`)), READY_MS);
    child.once('error', (error) => reject(new Error(`the AWS double's process could not start: ${error.message}`, { cause: error })));
    void exited.then(() => reject(failure ?? new Error("the AWS double's process ended before serving")));
    child.on('message', (message: unknown) => {
      if (!isRecord(message)) return;
      if (message.kind === 'ready' && typeof message.url === 'string') {
        clearTimeout(timer);
        resolve(message.url);
      } else if (message.kind === 'reply' && typeof message.id === 'number') {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (typeof message.error === 'string') waiting?.reject(new Error(`the AWS double's process failed: ${message.error}`));
        else waiting?.resolve(message.value);
      }
    });
  }).catch(async (error: unknown) => {
    stopping = true;
    child.kill('SIGKILL');
    await exited;
    throw error;
  });

  const request = <T>(command: ChildCommand, read: (value: unknown) => T): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = ++nextId;
    const message: CommandMessage = { id, command };
    return new Promise<unknown>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send(message, (error) => {
        if (!error) return;
        // A closed channel: the child is ending, and its exit rejects this command with the reason; else say why after a second.
        const timer = setTimeout(() => {
          if (pending.delete(id)) reject(new Error(`the AWS double's process did not take ${command}: ${error.message}`, { cause: error }));
        }, 1_000);
        void exited.then(() => clearTimeout(timer));
      });
    }).then(read);
  };

  const pid = child.pid ?? 0;
  return {
    where: 'process', pid,
    env: { AWS_ENDPOINT_URL: url, OPENCLAW_S3_FORCE_PATH_STYLE: 'true' },
    attach: () => {},
    resetCalls: () => request('reset-calls', () => undefined),
    usage: () => request('usage', readUsage),
    bucketShare: () => request('bucket-share', readBucketShare),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
      if (child.connected) child.send({ id: ++nextId, command: 'stop' } satisfies CommandMessage, () => {});
      else child.kill('SIGKILL');
      await exited;
      clearTimeout(timer);
    },
  };
}
