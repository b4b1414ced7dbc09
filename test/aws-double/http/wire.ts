// What travels between the endpoint and its protocols: a request as received, a response to write,
// and an error in the form every protocol serializes — from the SDK exception the double raised
// (IAM's NoSuchEntityException goes out as `NoSuchEntity`, the awsQueryError trait of its schema).
import type { IncomingHttpHeaders } from 'node:http';
import { errorTraits, type OperationModel } from './schema.js';

export interface WireRequest {
  method: string;
  /** The URL path, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** A request decoded to the SDK input shape the double's dispatcher takes. */
export interface DecodedCall {
  model: OperationModel;
  input: Record<string, unknown>;
}

/** One wire protocol: request → SDK input, and the double's output or error → response. */
export interface Protocol {
  decode(request: WireRequest): DecodedCall;
  encode(call: DecodedCall, output: Record<string, unknown>, requestId: string, request: WireRequest): WireResponse | Promise<WireResponse>;
  error(error: WireError, request: WireRequest): WireResponse;
}

export interface WireError {
  code: string;
  message: string;
  status: number;
  fault: 'client' | 'server';
  requestId: string;
  /** The exception's modeled members (ECS ConflictException's resourceIds), for the JSON protocols' body. */
  members?: Record<string, unknown>;
}

/** Thrown by a protocol for a request it cannot take (unknown action, malformed body …). */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function wireError(sdk: Record<string, unknown>, error: unknown, requestId: string): WireError {
  if (error instanceof RequestError) {
    return { code: error.code, message: error.message, status: error.status, fault: error.status >= 500 ? 'server' : 'client', requestId };
  }
  const e = (error ?? {}) as SdkErrorShape;
  if (!e.$metadata || !e.name) {
    const message = `aws-double: ${String(error instanceof Error ? error.stack : error)}`;
    return { code: 'InternalFailure', message, status: 500, fault: 'server', requestId };
  }
  const traits = errorTraits(sdk, e.name);
  const [queryCode, queryStatus] = (traits?.awsQueryError as [string, number] | undefined) ?? [];
  const status = e.$metadata.httpStatusCode ?? queryStatus ?? traits?.httpError ?? 400;
  return {
    code: queryCode ?? e.name,
    message: e.message ?? '',
    status,
    fault: e.$fault ?? (status >= 500 ? 'server' : 'client'),
    requestId: e.$metadata.requestId ?? requestId,
    members: Object.fromEntries(Object.entries(e).filter(([key]) => !key.startsWith('$') && !['name', 'message', 'Message'].includes(key))),
  };
}
