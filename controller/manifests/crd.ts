import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ProgrammingError } from '../../contract/errors.js';
import { isRecord } from '../../contract/json.js';

/** The Tenant CRD shipped in crds/: the one source of truth for the manifest schema. */
export const CRD_PATH = fileURLToPath(new URL('../../crds/tenants.openclaw.io.yaml', import.meta.url));
/** The NotificationChannel CRD: channels are declared in git next to the tenants. */
export const CHANNEL_CRD_PATH = fileURLToPath(new URL('../../crds/notificationchannels.openclaw.io.yaml', import.meta.url));

export type JsonSchema = Record<string, unknown>;

export interface TenantCrd {
  group: string;
  version: string;
  kind: string;
  apiVersion: string;
  openAPIV3Schema: JsonSchema;
}

const cached = new Map<string, TenantCrd>();

export function loadTenantCrd(path = CRD_PATH): TenantCrd {
  const known = cached.get(path);
  if (known && (path === CRD_PATH || path === CHANNEL_CRD_PATH)) return known;
  const result = readCrd(path, parse(readFileSync(path, 'utf8')));
  if (path === CRD_PATH || path === CHANNEL_CRD_PATH) cached.set(path, result);
  return result;
}

/** The parts of a CRD this module reads, each checked: a CRD edited into another shape fails here, naming its file. */
function readCrd(path: string, document: unknown): TenantCrd {
  const fail = (what: string): never => {
    throw new ProgrammingError(`${path} is not a CustomResourceDefinition the controller can read: ${what}`);
  };
  const spec = isRecord(document) && isRecord(document.spec) ? document.spec : fail('it has no spec');
  const group = typeof spec.group === 'string' ? spec.group : fail('spec.group is not a string');
  const kind = isRecord(spec.names) && typeof spec.names.kind === 'string' ? spec.names.kind : fail('spec.names.kind is not a string');
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  const version = versions.find((v) => v.storage === true) ?? versions[0] ?? fail('spec.versions lists no version');
  const name = typeof version.name === 'string' ? version.name : fail('the version has no name');
  const schema = isRecord(version.schema) && isRecord(version.schema.openAPIV3Schema) ? version.schema.openAPIV3Schema : fail(`version ${name} has no schema.openAPIV3Schema`);
  return { group, version: name, kind, apiVersion: `${group}/${name}`, openAPIV3Schema: schema };
}

/**
 * The JSON Schema a manifest in git must satisfy, derived from the CRD:
 * apiVersion and kind pinned, the ObjectMeta subset a tenant may set, the CRD's spec,
 * and no status (the controller writes that). Kubernetes prunes unknown fields of a
 * structural schema; a manifest in review should rather be told, so every object with
 * declared properties is closed (additionalProperties: false), as `kubectl --validate=strict` does.
 */
export function manifestJsonSchema(crd: TenantCrd = loadTenantCrd()): JsonSchema {
  const { properties } = crd.openAPIV3Schema;
  const spec = isRecord(properties) && isRecord(properties.spec) ? properties.spec : undefined;
  if (!spec) throw new ProgrammingError(`the ${crd.kind} CRD's schema has no properties.spec`);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${crd.kind} (${crd.apiVersion})`,
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { type: 'string', enum: [crd.apiVersion] },
      kind: { type: 'string', enum: [crd.kind] },
      metadata: OBJECT_META,
      spec: closeObjects(structuredClone(spec)),
    },
  };
}

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 } };

/** The part of Kubernetes ObjectMeta a tenant manifest may carry; Kubernetes, not the CRD, defines it. */
const OBJECT_META: JsonSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', description: 'Tenant name: a DNS-1123 label of at most 40 characters.' },
    labels: STRING_MAP,
    annotations: STRING_MAP,
  },
};

function closeObjects(schema: JsonSchema): JsonSchema {
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    schema.additionalProperties = false;
  }
  if (isRecord(schema.properties)) for (const child of Object.values(schema.properties)) if (isRecord(child)) closeObjects(child);
  if (isRecord(schema.items)) closeObjects(schema.items);
  if (isRecord(schema.additionalProperties)) closeObjects(schema.additionalProperties);
  return schema;
}
