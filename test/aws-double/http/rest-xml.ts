// The REST-XML protocol as S3 speaks it, with path-style addressing (`/bucket/key`): the operation is
// found from the method, whether there is a key, and the static query of each modeled `http` trait
// (`PUT /{Key+}?tagging`, `GET /?list-type=2` …); members bind to the path, headers (`x-amz-meta-*`,
// `x-amz-tagging` …), the query string or the XML/blob payload; errors are `<Error><Code/>…</Error>`.
// The inverse of the SDK's HttpBindingProtocol and AwsRestXmlProtocol.
import { operationModels, type OperationModel, type Shape } from './schema.js';
import { formatTimestamp, parseScalar } from './values.js';
import { RequestError, type DecodedCall, type Protocol, type WireError, type WireRequest, type WireResponse } from './wire.js';
import { XML_DECLARATION, XmlSyntaxError, escapeXml, parseXml, xmlElement } from './xml.js';
import { fromXml, structFromXml, structToXml } from './xml-shape.js';
import { toBuffer } from '../s3-body.js';

interface Route {
  model: OperationModel;
  method: string;
  /** The path has a `{Key+}` label. */
  hasKey: boolean;
  /** Static query: `lifecycle` → undefined (present), `list-type` → '2'. */
  query: Array<[string, string | undefined]>;
}

function routeOf(model: OperationModel): Route | undefined {
  const http = model.traits.http as [string, string, number] | undefined;
  if (!http) return undefined;
  const [method, uri] = http;
  const [path, search = ''] = uri.split('?');
  const query = search
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string | undefined] => {
      const at = pair.indexOf('=');
      return at < 0 ? [pair, undefined] : [pair.slice(0, at), pair.slice(at + 1)];
    });
  return { model, method, hasKey: path.includes('{Key+}'), query };
}

/** The path-style address of a request: `/bucket/some/key` → bucket and key, decoded. */
export function s3Address(path: string): { bucket?: string; key?: string } {
  const rest = path.replace(/^\//, '');
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 ? '' : decodeURIComponent(rest.slice(slash + 1));
  return key === '' ? { bucket } : { bucket, key };
}

/**
 * The modeled operation a request is for: the same method and key-ness, every static query key
 * present (with its value, where the model gives one), the most specific match first. `x-id`, which
 * the SDK adds to tell GetObject from GetObjectAcl and the like, counts when present.
 */
export function matchRoute(routes: Route[], method: string, hasKey: boolean, query: URLSearchParams): Route | undefined {
  let best: { route: Route; score: number } | undefined;
  for (const route of routes) {
    if (route.method !== method || route.hasKey !== hasKey) continue;
    let score = 0;
    let ok = true;
    for (const [name, value] of route.query) {
      const actual = query.get(name);
      if (name === 'x-id') {
        if (actual !== null && actual !== value) ok = false;
        else if (actual !== null) score += 0.5;
        continue;
      }
      if (actual === null || (value !== undefined && actual !== value)) ok = false;
      else score += 1;
    }
    if (ok && (!best || score > best.score)) best = { route, score };
  }
  return best?.route;
}

/** `aws-chunked` content encoding (streaming uploads with trailing checksums) → the object's bytes. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size === 0) break;
    chunks.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(chunks);
}

const isBound = (m: Shape) =>
  Boolean(m.traits.httpLabel || m.traits.httpHeader || m.traits.httpPrefixHeaders || m.traits.httpQuery || m.traits.httpQueryParams || m.traits.httpPayload || m.traits.httpResponseCode);

function headerValue(member: Shape, value: unknown): string {
  if (member.kind === 'timestamp') return String(formatTimestamp(value, member.format ?? 6));
  if (member.kind === 'list') return (value as unknown[]).map((v) => headerValue(member.item(), v)).join(', ');
  if (member.kind === 'blob') return Buffer.from(value as Uint8Array).toString('base64');
  return String(value);
}

function parseHeader(member: Shape, text: string): unknown {
  if (member.kind === 'list') return text.split(',').map((part) => parseHeader(member.item(), part.trim()));
  return parseScalar(member, text, 6);
}

/** The SDK input for a request routed to `model`. */
export function decodeRestXml(model: OperationModel, request: WireRequest): Record<string, unknown> {
  const { bucket, key } = s3Address(request.path);
  const input: Record<string, unknown> = {};
  const headers = request.headers;
  let body = request.body;
  if (String(headers['content-encoding'] ?? '').includes('aws-chunked') || String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) {
    body = decodeAwsChunked(body);
  }
  const parseBody = () => {
    try {
      return parseXml(body.toString('utf8'));
    } catch (e) {
      if (e instanceof XmlSyntaxError) {
        throw new RequestError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
      }
      throw e;
    }
  };
  let hasBodyMembers = false;
  for (const [name, member] of model.input.members()) {
    const t = member.traits;
    if (t.httpLabel) {
      const value = name === 'Bucket' ? bucket : key;
      if (value !== undefined) input[name] = value;
    } else if (t.httpHeader) {
      const value = headers[String(t.httpHeader).toLowerCase()];
      if (value !== undefined) input[name] = parseHeader(member, Array.isArray(value) ? value.join(', ') : value);
    } else if (t.httpPrefixHeaders) {
      const prefix = String(t.httpPrefixHeaders).toLowerCase();
      const map: Record<string, string> = {};
      for (const [h, v] of Object.entries(headers)) if (h.startsWith(prefix) && v !== undefined) map[h.slice(prefix.length)] = String(v);
      if (Object.keys(map).length > 0) input[name] = map;
    } else if (t.httpQuery) {
      const values = request.query.getAll(String(t.httpQuery));
      if (values.length > 0) {
        input[name] = member.kind === 'list' ? values.map((v) => parseScalar(member.item(), v, 5)) : parseScalar(member, values[0], 5);
      }
    } else if (t.httpPayload) {
      if (member.kind === 'blob') input[name] = body;
      else if (member.kind === 'string') input[name] = body.toString('utf8');
      else if (body.length > 0) input[name] = fromXml(member, parseBody());
    } else if (!isBound(member)) hasBodyMembers = true;
  }
  if (hasBodyMembers && body.length > 0) Object.assign(input, structFromXml(model.input, parseBody(), (m) => !isBound(m)));
  return input;
}

/** The response for the double's output of `model`: status, header bindings, and the payload or XML body. */
export async function encodeRestXml(model: OperationModel, output: Record<string, unknown>, xmlns: string, head: boolean): Promise<WireResponse> {
  const http = model.traits.http as [string, string, number] | undefined;
  let status = http?.[2] ?? 200;
  const headers: Record<string, string> = {};
  let body: Buffer | string = '';
  let hasBodyMembers = false;
  for (const [name, member] of model.output.members()) {
    const t = member.traits;
    const value = output[name];
    if (!isBound(member)) hasBodyMembers = true;
    else if (t.httpResponseCode) {
      if (typeof value === 'number') status = value;
    } else if (value === undefined || value === null) continue;
    else if (t.httpPayload) {
      if (member.kind === 'blob') body = await toBuffer(value);
      else if (member.kind === 'string') body = String(value);
      else {
        const root = member.memberTraits.xmlName ?? member.traits.xmlName ?? member.name ?? name;
        body = XML_DECLARATION + xmlElement(root, structToXml(member, value as Record<string, unknown>), { xmlns });
      }
    } else if (t.httpHeader) {
      headers[String(t.httpHeader)] = headerValue(member, value);
    } else if (t.httpPrefixHeaders) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) headers[`${t.httpPrefixHeaders}${k}`] = String(v);
    }
  }
  if (hasBodyMembers) {
    const root = model.output.traits.xmlName ?? model.output.name ?? `${model.name}Output`;
    body = XML_DECLARATION + xmlElement(root, structToXml(model.output, output, (m) => !isBound(m)), { xmlns });
  }
  if (Buffer.isBuffer(body)) headers['Content-Length'] = String(body.length);
  if (typeof body === 'string' && body !== '') headers['Content-Type'] ??= 'application/xml';
  return { status, headers, body: head ? '' : body };
}

export function restXmlErrorXml(error: WireError, request: WireRequest): string {
  const { bucket, key } = s3Address(request.path);
  const members =
    xmlElement('Code', escapeXml(error.code)) +
    xmlElement('Message', escapeXml(error.message)) +
    (key !== undefined ? xmlElement('Key', escapeXml(key)) : bucket !== undefined ? xmlElement('BucketName', escapeXml(bucket)) : '') +
    xmlElement('RequestId', escapeXml(error.requestId));
  return XML_DECLARATION + xmlElement('Error', members);
}

export function restXmlProtocol(sdk: Record<string, unknown>, xmlns: string): Protocol {
  const routes = operationModels(sdk)
    .map(routeOf)
    .filter((r): r is Route => r !== undefined);
  return {
    decode(request: WireRequest): DecodedCall {
      const { key } = s3Address(request.path);
      const route = matchRoute(routes, request.method, key !== undefined, request.query);
      if (!route) throw new RequestError('MethodNotAllowed', `aws-double: no S3 operation for ${request.method} ${request.path}`, 405);
      return { model: route.model, input: decodeRestXml(route.model, request) };
    },
    async encode(call, output, requestId, request) {
      const response = await encodeRestXml(call.model, output, xmlns, request.method === 'HEAD');
      response.headers['x-amz-request-id'] = requestId;
      return response;
    },
    error: (error, request) => ({
      status: error.status,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': error.requestId },
      // A HEAD response has no body: the SDK goes by the status alone (404 → NotFound).
      body: request.method === 'HEAD' ? '' : restXmlErrorXml(error, request),
    }),
  };
}
