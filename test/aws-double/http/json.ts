// The awsJson1_1 protocol (Secrets Manager, ECS): `POST /` with `X-Amz-Target: <service>.<Operation>`,
// JSON in and out with member names as modeled, timestamps as epoch seconds, blobs as base64; errors
// `{"__type": "ResourceExistsException", "message": …}` — the inverse of the SDK's AwsJsonRpcProtocol.
import { operationModel, type Shape } from './schema.js';
import { formatTimestamp, parseScalar, parseTimestamp, toBase64 } from './values.js';
import { RequestError, type DecodedCall, type Protocol, type WireError, type WireRequest } from './wire.js';

const present = (value: unknown) => value !== undefined && value !== null;

/** Walks `value` along `shape` (modeled members only, absent ones left out), converting each leaf. */
function mapShape(shape: Shape, value: unknown, leaf: (shape: Shape, value: unknown) => unknown): unknown {
  if (!present(value)) return undefined;
  const each = (v: unknown) => mapShape(shape.item(), v, leaf);
  switch (shape.kind) {
    case 'struct': {
      const object = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of shape.members()) {
        const v = mapShape(member, object[name], leaf);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list':
      return (value as unknown[]).map(each).filter((v) => v !== undefined);
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .map(([k, v]) => [k, each(v)])
          .filter(([, v]) => v !== undefined),
      );
    default:
      return leaf(shape, value);
  }
}

/** A JSON value as the SDK serialized it for `shape` → the SDK input value (timestamps as Dates, blobs as bytes). */
export function fromJson(shape: Shape, value: unknown): unknown {
  return mapShape(shape, value, (leaf, v) => {
    if (leaf.kind === 'timestamp') return parseTimestamp(v as string | number, leaf.format ?? 7);
    if (leaf.kind === 'blob') return parseScalar(leaf, String(v), 7);
    return v;
  });
}

/** An SDK output value → JSON for `shape` (timestamps as epoch seconds, blobs as base64). */
export function toJson(shape: Shape, value: unknown): unknown {
  return mapShape(shape, value, (leaf, v) => {
    if (leaf.kind === 'timestamp') return formatTimestamp(v, leaf.format ?? 7);
    if (leaf.kind === 'blob') return toBase64(v);
    return v;
  });
}

export function jsonErrorBody(error: WireError): string {
  return JSON.stringify({ __type: error.code, message: error.message, ...error.members });
}

/** A request's JSON body (`{}` when empty); a body that is not JSON is the protocols' SerializationException. */
export function jsonBody(request: WireRequest): unknown {
  try {
    return request.body.length ? JSON.parse(request.body.toString('utf8')) : {};
  } catch {
    throw new RequestError('SerializationException', 'The request body is not valid JSON');
  }
}

/** How the JSON protocols answer: the output as modeled JSON; an error's code in `x-amzn-errortype`, its body by `errorBody`. */
export function jsonAnswers(contentType: string, errorBody: (error: WireError) => string): Pick<Protocol, 'encode' | 'error'> {
  const json = { 'content-type': contentType };
  return {
    encode: (call, output, requestId) => ({
      status: 200,
      headers: { ...json, 'x-amzn-requestid': requestId },
      body: JSON.stringify(toJson(call.model.output, output) ?? {}),
    }),
    error: (error) => ({
      status: error.status,
      headers: { ...json, 'x-amzn-requestid': error.requestId, 'x-amzn-errortype': error.code },
      body: errorBody(error),
    }),
  };
}

export function jsonProtocol(sdk: Record<string, unknown>, target: string): Protocol {
  return {
    decode(request: WireRequest): DecodedCall {
      const header = String(request.headers['x-amz-target'] ?? '');
      const [prefix, operation] = header.split('.');
      if (prefix !== target || !operation) throw new RequestError('UnknownOperationException', `Unknown target ${header}`);
      const model = operationModel(sdk, operation);
      if (!model) throw new RequestError('UnknownOperationException', `Unknown operation ${operation}`);
      return { model, input: (fromJson(model.input, jsonBody(request)) ?? {}) as Record<string, unknown> };
    },
    ...jsonAnswers('application/x-amz-json-1.1', jsonErrorBody),
  };
}
