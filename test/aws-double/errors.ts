// AWS errors as the real SDK v3 clients raise them: the modeled exception class where the client
// package exports one (EntityAlreadyExistsException, NoSuchKey, ResourceExistsException, …), else the
// service's base exception with the wire error code as its name (Throttling, SlowDown, ValidationError …).
import * as iamSdk from '@aws-sdk/client-iam';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as secretsSdk from '@aws-sdk/client-secrets-manager';
import * as stsSdk from '@aws-sdk/client-sts';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as sesSdk from '@aws-sdk/client-sesv2';
import * as snsSdk from '@aws-sdk/client-sns';
import * as quotasSdk from '@aws-sdk/client-service-quotas';

export type ServiceName = 'iam' | 's3' | 'secretsmanager' | 'sts' | 'ecs' | 'sesv2' | 'sns' | 'servicequotas';

/** Thrown by the in-memory services; the dispatcher turns it into the SDK's exception. */
export class AwsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Modeled members of the exception (ECS ConflictException's resourceIds). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Throw an AWS error with its wire code (e.g. 'NoSuchEntity'), message, HTTP status and modeled members. */
export function fail(code: string, message: string, status = 400, fields: Record<string, unknown> = {}): never {
  throw new AwsFault(code, message, status, fields);
}

type Namespace = Record<string, unknown>;
type BaseCtor = new (opts: {
  name: string;
  $fault: 'client' | 'server';
  message?: string;
  $metadata: Record<string, unknown>;
}) => Error;
/** A modeled exception of a service (a subclass of its base): it takes its name and fault from its own class. */
type ModeledCtor = new (opts: { message: string; $metadata: Record<string, unknown> } & Record<string, unknown>) => Error;

const SDKS: Record<ServiceName, { ns: Namespace; base: BaseCtor }> = {
  iam: { ns: iamSdk, base: iamSdk.IAMServiceException },
  s3: { ns: s3Sdk, base: s3Sdk.S3ServiceException },
  secretsmanager: { ns: secretsSdk, base: secretsSdk.SecretsManagerServiceException },
  sts: { ns: stsSdk, base: stsSdk.STSServiceException },
  ecs: { ns: ecsSdk, base: ecsSdk.ECSServiceException },
  sesv2: { ns: sesSdk, base: sesSdk.SESv2ServiceException },
  sns: { ns: snsSdk, base: snsSdk.SNSServiceException },
  servicequotas: { ns: quotasSdk, base: quotasSdk.ServiceQuotasServiceException },
};

type Wire = [code: string, status: number, message: string];
const RATE_EXCEEDED = 'Rate exceeded';

/** The throttling and internal (5xx) errors each service really returns. */
const SERVICE_ERRORS: Record<ServiceName, { throttling: Wire; internal: Wire }> = {
  iam: { throttling: ['Throttling', 400, RATE_EXCEEDED], internal: ['ServiceFailure', 500, 'Service failure'] },
  sts: { throttling: ['Throttling', 400, RATE_EXCEEDED], internal: ['InternalFailure', 500, 'An internal error occurred'] },
  s3: {
    throttling: ['SlowDown', 503, 'Please reduce your request rate.'],
    internal: ['InternalError', 500, 'We encountered an internal error. Please try again.'],
  },
  secretsmanager: {
    throttling: ['ThrottlingException', 400, RATE_EXCEEDED],
    internal: ['InternalServiceError', 500, 'An error occurred on the server side.'],
  },
  ecs: {
    throttling: ['ThrottlingException', 400, RATE_EXCEEDED],
    internal: ['ServerException', 500, 'Service unavailable. Please try again later.'],
  },
  sesv2: {
    throttling: ['TooManyRequestsException', 429, 'Too Many Requests'],
    internal: ['InternalServiceErrorException', 500, 'The request couldn\'t be processed because an error occurred with the Amazon SES API v2.'],
  },
  sns: { throttling: ['Throttled', 429, RATE_EXCEEDED], internal: ['InternalError', 500, 'Internal error'] },
  servicequotas: {
    throttling: ['TooManyRequestsException', 400, RATE_EXCEEDED],
    internal: ['ServiceException', 500, 'Something went wrong.'],
  },
};

export function serviceError(service: ServiceName, kind: 'throttling' | 'internal'): AwsFault {
  const [code, status, message] = SERVICE_ERRORS[service][kind];
  return new AwsFault(code, message, status);
}

const DEFAULT_STATUS: Record<string, number> = {
  AccessDenied: 403,
  SlowDown: 503,
  ServiceUnavailable: 503,
  InternalFailure: 500,
  InternalError: 500,
  ServiceFailure: 500,
  InternalServiceError: 500,
  ServerException: 500,
  InternalServiceErrorException: 500,
  TooManyRequestsException: 429,
  NotFoundException: 404,
};

export function defaultStatus(code: string): number {
  return DEFAULT_STATUS[code] ?? 400;
}

/** Builds the exception object the real client would have thrown for this wire error. */
export function toSdkError(service: ServiceName, fault: AwsFault, requestId: string): Error {
  const { ns, base } = SDKS[service];
  const $metadata = { httpStatusCode: fault.status, requestId, attempts: 1, totalRetryDelay: 0 };
  const modeled = [fault.code, `${fault.code}Exception`]
    .map((name) => ns[name])
    .find((c): c is ModeledCtor => typeof c === 'function' && c !== base && base.prototype.isPrototypeOf(c.prototype));
  if (modeled) {
    return new modeled({
      ...fault.fields,
      message: fault.message,
      $metadata,
    });
  }
  const $fault = fault.status >= 500 ? 'server' : 'client';
  return new base({ name: fault.code, $fault, message: fault.message, $metadata });
}
