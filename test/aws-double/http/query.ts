// The awsQuery protocol (IAM, STS): a form-encoded POST `Action=CreateRole&Version=…&Tags.member.1.Key=…`
// in, `<CreateRoleResponse><CreateRoleResult>…</CreateRoleResult><ResponseMetadata>…` out, errors as
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` — the inverse
// of the SDK's QueryShapeSerializer and AwsQueryProtocol.
import { operationModel, type Shape } from './schema.js';
import { parseScalar } from './values.js';
import { RequestError, type DecodedCall, type Protocol, type WireError, type WireRequest } from './wire.js';
import { XML_DECLARATION, escapeXml, xmlElement } from './xml.js';
import { structToXml } from './xml-shape.js';

type Params = Map<string, string>;

const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

function present(params: Params, key: string): boolean {
  if (params.has(key)) return true;
  for (const k of params.keys()) if (k.startsWith(`${key}.`)) return true;
  return false;
}

/** Form parameters under `prefix` → the value the SDK serialized there for `shape`. */
export function decodeQueryValue(shape: Shape, params: Params, prefix: string): unknown {
  switch (shape.kind) {
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [name, member] of shape.members()) {
        const key = join(prefix, member.traits.xmlName ?? name);
        if (present(params, key)) out[name] = decodeQueryValue(member, params, key);
      }
      return out;
    }
    case 'list': {
      if (params.get(prefix) === '') return []; // serializeEmptyLists: `TagKeys=`
      const item = shape.item();
      const base = shape.traits.xmlFlattened ? prefix : join(prefix, item.traits.xmlName ?? 'member');
      const out: unknown[] = [];
      for (let i = 1; present(params, join(base, String(i))); i++) out.push(decodeQueryValue(item, params, join(base, String(i))));
      return out;
    }
    case 'map': {
      const item = shape.item();
      const base = shape.traits.xmlFlattened ? prefix : join(prefix, 'entry');
      const out: Record<string, unknown> = {};
      for (let i = 1; present(params, join(base, String(i))); i++) {
        const entry = join(base, String(i));
        out[params.get(join(entry, 'key')) ?? ''] = decodeQueryValue(item, params, join(entry, item.traits.xmlName ?? 'value'));
      }
      return out;
    }
    case 'unit':
      return undefined;
    default:
      return parseScalar(shape, params.get(prefix) ?? '', 5);
  }
}

/** The input a form body carries for `shape` (the operation's input structure). */
export function decodeQueryInput(shape: Shape, form: string | URLSearchParams): Record<string, unknown> {
  const params: Params = new Map(typeof form === 'string' ? new URLSearchParams(form) : form);
  params.delete('Action');
  params.delete('Version');
  return shape.kind === 'struct' ? (decodeQueryValue(shape, params, '') as Record<string, unknown>) : {};
}

/** `<XResponse xmlns><XResult>…</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>`. */
export function queryResponseXml(call: DecodedCall, output: Record<string, unknown>, requestId: string, xmlns: string): string {
  const { name, output: shape } = call.model;
  const result = shape.kind === 'struct' ? xmlElement(`${name}Result`, structToXml(shape, output)) : '';
  const metadata = xmlElement('ResponseMetadata', xmlElement('RequestId', escapeXml(requestId)));
  return XML_DECLARATION + xmlElement(`${name}Response`, result + metadata, { xmlns });
}

export function queryErrorXml(error: WireError, xmlns: string): string {
  const body =
    xmlElement('Type', error.fault === 'server' ? 'Receiver' : 'Sender') +
    xmlElement('Code', escapeXml(error.code)) +
    xmlElement('Message', escapeXml(error.message));
  return XML_DECLARATION + xmlElement('ErrorResponse', xmlElement('Error', body) + xmlElement('RequestId', escapeXml(error.requestId)), { xmlns });
}

export function queryProtocol(sdk: Record<string, unknown>, xmlns: string): Protocol {
  const xml = { 'content-type': 'text/xml' };
  return {
    decode(request: WireRequest): DecodedCall {
      const params = new URLSearchParams(request.method === 'POST' ? request.body.toString('utf8') : request.query);
      const action = params.get('Action');
      if (!action) throw new RequestError('MissingAction', 'Missing Action');
      const model = operationModel(sdk, action);
      if (!model) throw new RequestError('InvalidAction', `Could not find operation ${action}`);
      return { model, input: decodeQueryInput(model.input, params) };
    },
    encode: (call, output, requestId) => ({
      status: 200,
      headers: { ...xml, 'x-amzn-requestid': requestId },
      body: queryResponseXml(call, output, requestId, xmlns),
    }),
    error: (error) => ({ status: error.status, headers: { ...xml, 'x-amzn-requestid': error.requestId }, body: queryErrorXml(error, xmlns) }),
  };
}
