/**
 * Typed errors with a stable `code` and an optional `cause`, wrapped as "could not X".
 * The engine decides retry versus stop from `retryable`, never from message text.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'MANIFEST_INVALID'
  | 'SOURCE_UNAVAILABLE'
  | 'TRANSIENT'
  | 'PERMISSION_DENIED'
  | 'LIMIT_EXCEEDED'
  | 'CONFLICT'
  /** It exists, but the controller does not manage it: left untouched. */
  | 'NOT_OWNED'
  /** It does not exist. */
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'INTERNAL';

export class ControllerError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ControllerError';
    this.code = code;
    this.retryable = options.retryable ?? code === 'TRANSIENT';
  }
}

export class ConfigError extends ControllerError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
    this.name = 'ConfigError';
  }
}

export class UsageError extends ControllerError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** A failure worth retrying: throttling, 5xx, timeouts, dropped connections. */
export class TransientError extends ControllerError {
  constructor(message: string, cause?: unknown) {
    super('TRANSIENT', message, { cause, retryable: true });
    this.name = 'TransientError';
  }
}

/** A failure that retrying cannot fix: access denied, a hard limit, invalid input. */
export class TerminalError extends ControllerError {
  constructor(code: Exclude<ErrorCode, 'TRANSIENT'>, message: string, cause?: unknown) {
    super(code, message, { cause, retryable: false });
    this.name = 'TerminalError';
  }
}

/** Built-in errors that mean the controller's own code is wrong: the next attempt runs the same code on the same data. */
const PROGRAMMING_FAULTS = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * Is this error worth another attempt? A programming fault (a TypeError and the like, without a
 * cause such as a failed connection) is not; other unknown errors are treated as transient: the
 * next pass converges.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ControllerError) return error.retryable;
  if (error instanceof Error && PROGRAMMING_FAULTS.some((fault) => error instanceof fault) && error.cause === undefined) return false;
  return true;
}

/** The `code` of a Node.js system error (ENOENT, EEXIST, EPERM…) or a PostgreSQL error (its SQLSTATE), read without trusting what was thrown. */
export function systemErrorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A fault in the controller's own code, such as a change planned without what its apply needs: retrying cannot fix it. */
export class ProgrammingError extends TerminalError {
  constructor(message: string, cause?: unknown) {
    super('INTERNAL', message, cause);
    this.name = 'ProgrammingError';
  }
}
