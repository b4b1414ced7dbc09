/**
 * HubSpot CRM v3/v4, what a connector reads of a portal (hubspot/crm-*.json): `POST
 * /crm/v3/objects/{contacts|emails|meetings}/search` with filters on the last-modified property,
 * sorts, `limit` (at most 200) and `paging.next.after` (at most 10,000 results a query, as
 * HubSpot's search), and `POST /crm/v4/associations/{from}/{to}/batch/read` for the contacts an
 * engagement is associated with.
 */
import type { FastifyInstance } from 'fastify';
import { isRecord } from '../../../../contract/json.js';
import { Accounts, guard, sendError, type ApiOptions } from './common.js';

export type CrmObjectType = 'contacts' | 'emails' | 'meetings';
const OBJECT_TYPES: readonly string[] = ['contacts', 'emails', 'meetings'];
/** The property each object type's search filters and sorts on for "changed since". */
export const MODIFIED_PROPERTY: Record<CrmObjectType, string> = { contacts: 'lastmodifieddate', emails: 'hs_lastmodifieddate', meetings: 'hs_lastmodifieddate' };
const SEARCH_WINDOW = 10_000;

interface CrmObject {
  id: string;
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  /** Associated contact ids (engagements only). */
  contacts: string[];
}

export class HubSpotPortal {
  private nextId = 51;
  readonly objects: Record<CrmObjectType, Map<string, CrmObject>> = { contacts: new Map(), emails: new Map(), meetings: new Map() };

  constructor(readonly portalId: string, private readonly now: () => number) {}

  /** Creates an object; engagements name the contacts they are associated with. */
  create(type: CrmObjectType, properties: Record<string, string>, contacts: string[] = []): string {
    const id = String(this.nextId++ * 1013);
    const at = this.now();
    this.objects[type].set(id, { id, properties: { ...properties }, createdAt: at, updatedAt: at, contacts });
    return id;
  }

  update(type: CrmObjectType, id: string, properties: Record<string, string>): void {
    const object = this.objects[type].get(id);
    if (object) Object.assign(object, { properties: { ...object.properties, ...properties }, updatedAt: this.now() });
  }
}

interface Filter {
  propertyName?: unknown;
  operator?: unknown;
  value?: unknown;
}

function matches(object: CrmObject, type: CrmObjectType, filter: Filter): boolean | 'unsupported' {
  const value = propertyValue(object, type, String(filter.propertyName));
  const wanted = typeof filter.value === 'string' || typeof filter.value === 'number' ? String(filter.value) : '';
  const [a, b] = [Number(value), /^\d+$/.test(wanted) ? Number(wanted) : Date.parse(wanted)];
  switch (filter.operator) {
    case 'GTE': return a >= b;
    case 'GT': return a > b;
    case 'LTE': return a <= b;
    case 'LT': return a < b;
    case 'EQ': return value === wanted;
    default: return 'unsupported';
  }
}

function propertyValue(object: CrmObject, type: CrmObjectType, name: string): string | undefined {
  if (name === MODIFIED_PROPERTY[type]) return String(object.updatedAt);
  if (name === 'createdate' || name === 'hs_createdate') return String(object.createdAt);
  if (name === 'hs_object_id') return object.id;
  return object.properties[name];
}

export function registerHubSpot(app: FastifyInstance, options: ApiOptions, portals: Accounts<HubSpotPortal>): void {
  // HubSpot's search endpoints: five requests a second per account.
  const accountOf = guard(app, '/hubspot/crm/', 'hubspot', options, { requests: 5, windowMs: 1000 });

  app.post<{ Params: { objectType: string }; Body: unknown }>('/hubspot/crm/v3/objects/:objectType/search', async (request, reply) => {
    const type = request.params.objectType;
    if (!isObjectType(type)) return sendError(reply, 'hubspot', 400, `Unable to infer object type from: ${type}`);
    const body = isRecord(request.body) ? request.body : {};
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) return sendError(reply, 'hubspot', 400, 'limit must be between 1 and 200');
    const after = body.after === undefined ? 0 : Number(body.after);
    if (!Number.isInteger(after) || after < 0) return sendError(reply, 'hubspot', 400, 'after must be a paging cursor from a previous answer');
    if (after + limit > SEARCH_WINDOW) return sendError(reply, 'hubspot', 400, `The search API returns at most ${SEARCH_WINDOW} results for a query: narrow the filters`);
    const groups: Filter[][] = Array.isArray(body.filterGroups) ? body.filterGroups.map((g: unknown) => (isRecord(g) && Array.isArray(g.filters) ? g.filters : [])) : [];
    const portal = portals.get(accountOf(request));
    let all = [...portal.objects[type].values()];
    if (groups.length > 0) {
      const results = all.map((o) => groups.some((g) => g.every((f) => matches(o, type, f) === true)));
      if (groups.flat().some((f) => matches(all[0] ?? emptyObject, type, f) === 'unsupported')) return sendError(reply, 'hubspot', 400, 'unsupported filter operator');
      all = all.filter((_, i) => results[i]);
    }
    const sort = Array.isArray(body.sorts) && isRecord(body.sorts[0]) ? body.sorts[0] : undefined;
    const key = (o: CrmObject) => Number(propertyValue(o, type, String(sort?.propertyName ?? 'hs_object_id')) ?? 0);
    all.sort((a, b) => (key(a) - key(b) || Number(a.id) - Number(b.id)) * (sort?.direction === 'DESCENDING' ? -1 : 1));
    const page = all.slice(after, after + limit);
    const wanted: string[] = Array.isArray(body.properties) ? body.properties.filter((p: unknown): p is string => typeof p === 'string') : [];
    return {
      total: all.length,
      results: page.map((o) => ({
        id: o.id,
        properties: {
          ...Object.fromEntries(wanted.map((p) => [p, propertyValue(o, type, p) === undefined ? null : display(o, type, p)])),
          hs_object_id: o.id,
          [type === 'contacts' ? 'createdate' : 'hs_createdate']: new Date(o.createdAt).toISOString(),
          [MODIFIED_PROPERTY[type]]: new Date(o.updatedAt).toISOString(),
        },
        createdAt: new Date(o.createdAt).toISOString(),
        updatedAt: new Date(o.updatedAt).toISOString(),
        archived: false,
      })),
      ...(after + limit < all.length ? { paging: { next: { after: String(after + limit), link: `?after=${after + limit}` } } } : {}),
    };
  });

  app.post<{ Params: { from: string; to: string }; Body: unknown }>('/hubspot/crm/v4/associations/:from/:to/batch/read', async (request, reply) => {
    const { from, to } = request.params;
    if (!isObjectType(from) || to !== 'contacts' || from === 'contacts') return sendError(reply, 'hubspot', 400, `association ${from} → ${to} is not served by the sandbox`);
    const inputs = isRecord(request.body) && Array.isArray(request.body.inputs) ? request.body.inputs : [];
    if (inputs.length > 1000) return sendError(reply, 'hubspot', 400, 'at most 1000 inputs');
    const portal = portals.get(accountOf(request));
    const startedAt = new Date(options.now()).toISOString();
    const results = inputs.flatMap((input: unknown) => {
      const object = isRecord(input) ? portal.objects[from].get(String(input.id)) : undefined;
      if (!object || object.contacts.length === 0) return [];
      return [{ from: { id: object.id }, to: object.contacts.map((c) => ({ toObjectId: Number(c), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: from === 'emails' ? 198 : 200, label: null }] })) }];
    });
    return { status: 'COMPLETE', results, startedAt, completedAt: new Date(options.now()).toISOString() };
  });
}

const emptyObject: CrmObject = { id: '0', properties: {}, createdAt: 0, updatedAt: 0, contacts: [] };

/** Date properties are answered as ISO times, as HubSpot's v3 objects do. */
function display(object: CrmObject, type: CrmObjectType, name: string): string {
  const value = propertyValue(object, type, name) ?? '';
  return /(date|_time|timestamp)$/.test(name) && /^\d{10,}$/.test(value) ? new Date(Number(value)).toISOString() : value;
}

function isObjectType(value: string): value is CrmObjectType {
  return OBJECT_TYPES.includes(value);
}
