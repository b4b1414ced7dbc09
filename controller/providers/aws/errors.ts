import { ControllerError, TerminalError, TransientError } from '../../../contract/errors.js';
import { isRecord } from '../../../contract/json.js';

/** Error names AWS services use for "slow down": retried with backoff, and the service's rate is halved. */
export const THROTTLING_ERRORS = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException', 'SlowDown',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded', 'PriorRequestNotComplete', 'EC2ThrottledException',
]);

/** Server-side or transport failures: retried with backoff. */
const TRANSIENT_ERRORS = new Set([
  'InternalFailure', 'InternalError', 'InternalServiceError', 'InternalServerError', 'ServiceFailure', 'ServiceUnavailable',
  'ServiceUnavailableException', 'ServerException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'NetworkingError',
]);

const DENIED_ERRORS = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthFailure',
  'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException',
  'InvalidAccessKeyId', 'MissingAuthenticationToken', 'NotAuthorized',
]);

const LIMIT_ERRORS = new Set(['LimitExceeded', 'LimitExceededException', 'ServiceQuotaExceededException', 'TooManyBuckets', 'EntityTemporarilyUnmodifiable']);

/** Requests AWS refuses as invalid: a bug on our side or a bad configuration value, never fixed by retrying. */
const INVALID_ERRORS = new Set([
  'MalformedPolicyDocument', 'MalformedPolicyDocumentException', 'ValidationError', 'ValidationException', 'InvalidInput',
  'InvalidParameterException', 'InvalidParameterValue', 'InvalidParameterCombination', 'MalformedXML', 'InvalidArgument',
  'InvalidRequest', 'InvalidTag', 'PackedPolicyTooLarge', 'EncryptionFailure', 'DecryptionFailure', 'NoSuchBucket',
]);

/** Names meaning "the thing exists already". */
const CONFLICT_ERRORS = new Set(['ConflictException', 'EntityAlreadyExists', 'EntityAlreadyExistsException', 'ResourceExistsException', 'DeleteConflict', 'DeleteConflictException', 'ConcurrentModification', 'ConcurrentModificationException', 'InvalidRequestException', 'OperationAborted', 'PreconditionFailed', 'PreconditionNotMetException']);

/** Names meaning "no such thing": providers turn these into undefined or success where that is the contract. */
export const NOT_FOUND_ERRORS = new Set(['NoSuchEntity', 'NoSuchEntityException', 'ResourceNotFoundException', 'NoSuchKey', 'NotFound', 'NoSuchLifecycleConfiguration', 'NoSuchTagSet']);

/** What this module reads of a thrown AWS error. */
interface AwsErrorShape {
  name?: string;
  /** `Code` (XML services) or `code` (Node's network errors). */
  code?: string;
  message?: string;
  fault?: string;
  status?: number;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The fields of whatever was thrown, each checked for its type: anything may be thrown, an AWS error or not. */
function awsErrorShape(error: unknown): AwsErrorShape {
  if (!isRecord(error)) return {};
  const metadata = error.$metadata;
  const status = isRecord(metadata) && typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
  return { name: text(error.name), code: text(error.Code) ?? text(error.code), message: text(error.message), fault: text(error.$fault), status };
}

/** The HTTP status AWS answered with, when the error carries one. */
export function awsErrorStatus(error: unknown): number | undefined {
  return awsErrorShape(error).status;
}

/** Whether the service blamed itself (`$fault: 'server'`) rather than the request. */
export function isServerFault(error: unknown): boolean {
  return awsErrorShape(error).fault === 'server';
}

export function awsErrorName(error: unknown): string {
  const e = awsErrorShape(error);
  return e.name && e.name !== 'Error' ? e.name : e.code ?? 'Error';
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING_ERRORS.has(awsErrorName(error)) || awsErrorStatus(error) === 429;
}

/** Also looks through a ControllerError to the AWS error it wraps. */
export function isNotFound(error: unknown): boolean {
  if (error instanceof ControllerError) error = error.cause;
  return NOT_FOUND_ERRORS.has(awsErrorName(error)) || awsErrorStatus(error) === 404;
}

/**
 * Pure: an error from an AWS call → the controller's typed error, carrying AWS's own message.
 * `operation` is `service:Operation`, e.g. `iam:PutRolePolicy`.
 */
export function classifyAwsError(error: unknown, operation: string): ControllerError {
  if (error instanceof ControllerError) return error;
  const e = awsErrorShape(error);
  const name = awsErrorName(error);
  const status = e.status;
  const message = `${operation}: ${name}: ${e.message ?? String(error)}`;
  if (isThrottling(error)) return new TransientError(`${operation} was throttled: ${e.message ?? name}`, error);
  if (DENIED_ERRORS.has(name) || status === 403) return new TerminalError('PERMISSION_DENIED', message, error);
  if (LIMIT_ERRORS.has(name)) return new TerminalError('LIMIT_EXCEEDED', message, error);
  if (INVALID_ERRORS.has(name)) return new TerminalError('INTERNAL', message, error);
  if (CONFLICT_ERRORS.has(name)) return new ControllerError('CONFLICT', message, { cause: error, retryable: true });
  if (TRANSIENT_ERRORS.has(name) || e.fault === 'server' || (status !== undefined && status >= 500)) return new TransientError(message, error);
  // Unknown: retry; the next pass converges or the backoff reports it.
  return new ControllerError('INTERNAL', message, { cause: error, retryable: true });
}
