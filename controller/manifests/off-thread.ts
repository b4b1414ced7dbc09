import { Worker } from 'node:worker_threads';
import { errorMessage } from '../../contract/errors.js';
import type { ValidationIssue, ValidationResult } from './types.js';
import type { ManifestText } from './validate.js';

export interface ValidationRequest {
  id: number;
  inputs: ManifestText[];
  readIssues: ValidationIssue[];
}

export interface ValidationReply {
  id: number;
  result: ValidationResult;
}

interface Pending {
  request: ValidationRequest;
  resolve(result: ValidationResult): void;
}

/** Heap of the validation thread: the bounds in limits.ts keep a revision far below it. */
const DEFAULT_HEAP_MB = 256;
/** How long an idle thread is kept for the next revision before it ends. */
const DEFAULT_IDLE_MS = 10_000;

/**
 * Validation in a worker thread, so that no manifest, however large or hostile, delays the
 * event loop that serves /healthz, /readyz and the scheduler's lease. The thread starts on the
 * first request, is reused while requests follow each other, keeps the process alive only while a
 * request is pending, and ends once idle: a revision of 10,000 manifests leaves about 100 MB in its
 * heap, which the controller should not hold between revisions (docs/PERFORMANCE.md). Its
 * heap is capped: a thread that dies (out of memory, a crash) rejects the revision it was
 * validating, as an invalid one, never as an empty one, and the next request starts a new thread.
 */
export class ValidationThread {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: { maxHeapMb?: number; idleMs?: number } = {}) {}

  validate(inputs: ManifestText[], readIssues: ValidationIssue[] = []): Promise<ValidationResult> {
    clearTimeout(this.idleTimer);
    const worker = this.start();
    const request: ValidationRequest = { id: this.nextId++, inputs, readIssues };
    return new Promise((resolve) => {
      this.pending.set(request.id, { request, resolve });
      worker.ref();
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  /** The thread's id while one runs (a new one after an idle thread ended). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Resolves once the current thread, if any, has exited. */
  stopped(): Promise<void> {
    return this.exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./validation-thread.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? DEFAULT_HEAP_MB },
    });
    worker.unref();
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: ValidationReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) {
        worker.unref();
        this.idleTimer = setTimeout(() => void this.close(), this.options.idleMs ?? DEFAULT_IDLE_MS).unref();
      }
      pending?.resolve(reply.result);
    });
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const { request, resolve } of this.pending.values()) resolve(stopped(request, reason));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(errorMessage(error)));
    worker.on('exit', (code) => fail(`the validation thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }
}

/** A revision whose validation could not finish: invalid, with the reason at its first file. */
function stopped(request: ValidationRequest, reason: string): ValidationResult {
  const file = request.inputs[0]?.file ?? request.readIssues[0]?.file ?? '.';
  const issue: ValidationIssue = { file, line: 1, column: 1, layer: 'source', path: '', message: `validation could not finish: ${reason}` };
  return { tenants: [], channels: [], issues: [...request.readIssues, issue], files: request.inputs.map((i) => i.file) };
}

let shared: ValidationThread | undefined;

/** The process's validation thread (sources use it; tests may build their own). */
export function validateOffThread(inputs: ManifestText[], readIssues: ValidationIssue[] = []): Promise<ValidationResult> {
  shared ??= new ValidationThread();
  return shared.validate(inputs, readIssues);
}

/** Ends the process's validation thread now, as being idle would (the memory benchmark measures what is held then). */
export async function endValidationThread(): Promise<void> {
  await shared?.close();
}
