import { Worker } from 'node:worker_threads';
import { errorMessage } from '../../contract/errors.js';
import { contentDigest } from './files.js';
import type { ValidationIssue, ValidationResult } from './types.js';
import { ValidationCompactor, type HeldValidation } from './compact.js';
import { combineFiles, type FileValidation, type ManifestText } from './validate.js';

export interface ValidationRequest {
  id: number;
  inputs: ManifestText[];
}

export interface ValidationReply {
  id: number;
  /**
   * The files' validations (FileValidation[]) as JSON text. Parsed here, every object of a manifest is
   * laid out as a literal's is, its properties in the object itself: a structured clone builds each with
   * its properties in a separate array, and a tenant's spec took 232 bytes instead of 96. The thread is
   * this module's own code, so its text is trusted as its messages were.
   */
  json: string;
}

interface Pending {
  resolve(answer: FileValidation[] | { failed: string }): void;
}

/**
 * A file of a revision by the digest of its content: with its text when the caller read it again (a
 * file new or changed since the last revision, or one read again anyway), without it when unchanged.
 */
export interface ManifestFile {
  /** Path shown in errors, as in ManifestText. */
  file: string;
  digest: string;
  text?: string;
}

/** A revision that named, without its text, a file whose digest the thread does not remember: send again with the texts of `missing`, every file not remembered. */
export interface MissingTexts {
  missing: string[];
}


/** Heap of the validation thread: the bounds in limits.ts keep a revision far below it. */
const DEFAULT_HEAP_MB = 256;
/** How long an idle thread is kept for the next revision before it ends. */
const DEFAULT_IDLE_MS = 10_000;
/**
 * Files sent to the thread in one request. Its heap holds a request's texts and answers at once:
 * 100,000 manifests in one request outgrew its 256 MB and the whole revision was rejected; 5,000
 * take about 15 MB.
 */
const DEFAULT_FILES_PER_REQUEST = 5_000;
/**
 * The thread's entry. Compiled (npm run build), validation-thread.js beside this module. From source, this
 * module runs under tsx, which a worker does not inherit: validation-thread.mjs registers it first.
 */
const THREAD_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './validation-thread.mjs' : './validation-thread.js', import.meta.url);

/**
 * Validation in a worker thread, so that no manifest, however large or hostile, delays the
 * event loop that serves /healthz, /readyz and the scheduler's lease. The thread starts on the
 * first request, is reused while requests follow each other, keeps the process alive only while a
 * request is pending, and ends once idle: a revision of 10,000 manifests leaves about 100 MB in its
 * heap, which the controller should not hold between revisions (docs/PERFORMANCE.md). Its
 * heap is capped: a thread that dies (out of memory, a crash) rejects the revision it was
 * validating, as an invalid one, never as an empty one, and the next request starts a new thread.
 * A file whose content has not changed since the last revision is not validated again: its answer is
 * remembered (by the digest of its content, which the directory source computes as it reads, so that
 * it need not keep or send the texts of unchanged files) and only what crosses files, a name declared
 * twice, is checked again. One changed tenant among 100,000 costs one file's validation, not 100,000.
 */
export class ValidationThread {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Each file's validation as last computed, by its path (the instance it holds, kept as the key of later revisions). */
  private remembered = new Map<string, HeldValidation>();
  /** Makes what the thread sends back as small as it can be held (shared names, paths, strings and subtrees; frozen). */
  private readonly compactor = new ValidationCompactor();
  /** Files the last revision sent to the thread (the others were unchanged). */
  lastValidatedFiles = 0;
  /** Requests the last revision made of them (see DEFAULT_FILES_PER_REQUEST). */
  lastRequests = 0;

  constructor(private readonly options: { maxHeapMb?: number; idleMs?: number; filesPerRequest?: number } = {}) {}

  /** Validates every file of a revision by its text (its digest computed here when not given). */
  validate(inputs: (ManifestText & { digest?: string })[], readIssues: ValidationIssue[] = []): Promise<ValidationResult> {
    const files = inputs.map((input) => ({ ...input, digest: input.digest ?? contentDigest(input.text) }));
    return this.validateChanged(files, files.filter((input) => !this.remembers(input)), readIssues);
  }

  /**
   * Validates a revision given as its files' digests, with the texts of those the caller read again:
   * a file whose digest is remembered is not validated again (whether or not its text is given), any
   * other is sent to the thread. One whose text is not given and whose digest is not remembered (the
   * last revision could not finish, or another caller validated since) is not guessed at: nothing is
   * validated and the answer names every file it does not remember, whose texts must then be given.
   */
  async validateFiles(files: ManifestFile[], readIssues: ValidationIssue[] = []): Promise<ValidationResult | MissingTexts> {
    const changed = files.filter((input) => !this.remembers(input));
    const inputs = changed.flatMap(({ file, text, digest }) => (text === undefined ? [] : [{ file, text, digest }]));
    if (inputs.length < changed.length) return { missing: changed.map((input) => input.file) };
    return this.validateChanged(files, inputs, readIssues);
  }

  private remembers(input: ManifestFile): boolean {
    return this.remembered.get(input.file)?.digest === input.digest;
  }

  /** The revision of `files`, `changed` (those not remembered, in the same order) validated in the thread. */
  private async validateChanged(files: ManifestFile[], changed: (ManifestText & { digest: string })[], readIssues: ValidationIssue[]): Promise<ValidationResult> {
    const known = this.remembered;
    const held: HeldValidation[] = [];
    const perRequest = this.options.filesPerRequest ?? DEFAULT_FILES_PER_REQUEST;
    this.lastRequests = 0;
    // One request after the other, each answer compacted before the next is sent: neither heap holds the whole revision's answers as sent.
    for (let start = 0; start < changed.length; start += perRequest) {
      const slice = changed.slice(start, start + perRequest);
      const answer = await this.send(slice.map(({ file, text }) => ({ file, text })));
      this.lastRequests++;
      if (!Array.isArray(answer)) return stopped(files, readIssues, answer.failed);
      held.push(...await this.compactor.compact(slice, answer));
    }
    const next = new Map<string, HeldValidation>();
    let fresh = 0;
    const validations = files.map((input) => {
      const before = known.get(input.file);
      const now = before?.digest === input.digest ? before : held[fresh++];
      next.set(now.file, now);
      return now;
    });
    this.remembered = next;
    this.lastValidatedFiles = changed.length;
    return combineFiles(files.map((i) => i.file), validations, readIssues);
  }

  private send(inputs: ManifestText[]): Promise<FileValidation[] | { failed: string }> {
    clearTimeout(this.idleTimer);
    const worker = this.start();
    const request: ValidationRequest = { id: this.nextId++, inputs };
    return new Promise((resolve) => {
      this.pending.set(request.id, { resolve });
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
    const worker = new Worker(THREAD_ENTRY, {
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
      const files: FileValidation[] = JSON.parse(reply.json);
      pending?.resolve(files);
    });
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const { resolve } of this.pending.values()) resolve({ failed: reason });
      this.pending.clear();
    };
    worker.on('error', (error) => fail(errorMessage(error)));
    worker.on('exit', (code) => fail(`the validation thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }
}

/** A revision whose validation could not finish: invalid, with the reason at its first file. */
function stopped(inputs: readonly { file: string }[], readIssues: ValidationIssue[], reason: string): ValidationResult {
  const file = inputs[0]?.file ?? readIssues[0]?.file ?? '.';
  const issue: ValidationIssue = { file, line: 1, column: 1, layer: 'source', path: '', message: `validation could not finish: ${reason}` };
  return { tenants: [], channels: [], issues: [...readIssues, issue], files: inputs.map((i) => i.file) };
}

let shared: ValidationThread | undefined;

/** The process's validation thread (sources use it; tests may build their own). */
export function validateOffThread(inputs: (ManifestText & { digest?: string })[], readIssues: ValidationIssue[] = []): Promise<ValidationResult> {
  shared ??= new ValidationThread();
  return shared.validate(inputs, readIssues);
}

/** The process's validation thread, over files by digest (see ValidationThread.validateFiles). */
export function validateFilesOffThread(files: ManifestFile[], readIssues: ValidationIssue[] = []): Promise<ValidationResult | MissingTexts> {
  shared ??= new ValidationThread();
  return shared.validateFiles(files, readIssues);
}

/** Ends the process's validation thread now, as being idle would (the memory benchmark measures what is held then). */
export async function endValidationThread(): Promise<void> {
  await shared?.close();
}
