// The REST-JSON protocol as SES v2 speaks it: the operation is found from the method and the path
// template of each modeled `http` trait (`POST /v2/email/outbound-emails`, `GET
// /v2/email/identities/{EmailIdentity}`); labelled members bind to the path, `httpQuery` members to the
// query string, `httpHeader` members to headers, the rest to a JSON body (timestamps as epoch seconds,
// blobs as base64); errors carry their code in `x-amzn-errortype` and `{"message": …}`. The inverse of
// the SDK's HttpBindingProtocol with AwsRestJsonProtocol.
import { operationModels, type OperationModel } from './schema.js';
import { fromJson, jsonAnswers, jsonBody } from './json.js';
import { parseScalar } from './values.js';
import { RequestError, type DecodedCall, type Protocol, type WireRequest } from './wire.js';

interface Route {
  model: OperationModel;
  method: string;
  /** Path segments: a literal, or a label's member name. */
  segments: Array<{ literal: string } | { label: string }>;
}

function routeOf(model: OperationModel): Route | undefined {
  const http: unknown = model.traits.http;
  if (!Array.isArray(http) || typeof http[0] !== 'string' || typeof http[1] !== 'string') return undefined;
  const path = http[1].split('?')[0];
  const segments = path.split('/').filter(Boolean).map((part) => {
    const label = /^\{(\w+)\+?\}$/.exec(part)?.[1];
    return label ? { label } : { literal: part };
  });
  return { model, method: http[0], segments };
}

/** The route whose template the path fits, literals before labels; the labels' values, decoded. */
function match(routes: Route[], method: string, path: string): { route: Route; labels: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  let best: { route: Route; labels: Record<string, string>; literals: number } | undefined;
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    const labels: Record<string, string> = {};
    let literals = 0;
    let fits = true;
    route.segments.forEach((segment, i) => {
      if ('label' in segment) labels[segment.label] = decodeURIComponent(parts[i]);
      else if (segment.literal === parts[i]) literals++;
      else fits = false;
    });
    if (fits && (!best || literals > best.literals)) best = { route, labels, literals };
  }
  return best;
}

export function restJsonProtocol(sdk: Record<string, unknown>): Protocol {
  const routes = operationModels(sdk).map(routeOf).filter((r): r is Route => r !== undefined);
  return {
    decode(request: WireRequest): DecodedCall {
      const found = match(routes, request.method, request.path);
      if (!found) throw new RequestError('UnknownOperationException', `No operation for ${request.method} ${request.path}`, 404);
      const { model } = found.route;
      const input: Record<string, unknown> = {};
      const fromBody = fromJson(model.input, jsonBody(request));
      if (typeof fromBody === 'object' && fromBody !== null) Object.assign(input, fromBody);
      for (const [name, member] of model.input.members()) {
        const { httpLabel, httpQuery, httpHeader } = member.traits;
        const text = httpLabel ? found.labels[name]
          : typeof httpQuery === 'string' ? request.query.get(httpQuery) ?? undefined
            : typeof httpHeader === 'string' ? request.headers[httpHeader.toLowerCase()]?.toString() : undefined;
        // Timestamps outside the body: http-date in headers, date-time elsewhere (the protocol's defaults).
        if (text !== undefined) input[name] = parseScalar(member, text, typeof httpHeader === 'string' ? 6 : 5);
      }
      return { model, input };
    },
    ...jsonAnswers('application/json', (error) => JSON.stringify({ message: error.message, ...error.members })),
  };
}
