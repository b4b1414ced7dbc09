import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

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
  const crd = parse(readFileSync(path, 'utf8')) as {
    spec: { group: string; names: { kind: string }; versions: { name: string; storage?: boolean; schema: { openAPIV3Schema: JsonSchema } }[] };
  };
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const result: TenantCrd = {
    group: crd.spec.group,
    version: version.name,
    kind: crd.spec.names.kind,
    apiVersion: `${crd.spec.group}/${version.name}`,
    openAPIV3Schema: version.schema.openAPIV3Schema,
  };
  if (path === CRD_PATH || path === CHANNEL_CRD_PATH) cached.set(path, result);
  return result;
}

/**
 * The JSON Schema a manifest in git must satisfy, derived from the CRD:
 * apiVersion and kind pinned, the ObjectMeta subset a tenant may set, the CRD's spec,
 * and no status (the controller writes that). Kubernetes prunes unknown fields of a
 * structural schema; a manifest in review should rather be told, so every object with
 * declared properties is closed (additionalProperties: false), as `kubectl --validate=strict` does.
 */
export function manifestJsonSchema(crd: TenantCrd = loadTenantCrd()): JsonSchema {
  const root = crd.openAPIV3Schema as { properties: Record<string, JsonSchema> };
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
      spec: closeObjects(structuredClone(root.properties.spec)),
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
  for (const child of Object.values((schema.properties as Record<string, JsonSchema>) ?? {})) closeObjects(child);
  if (schema.items && typeof schema.items === 'object') closeObjects(schema.items as JsonSchema);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    closeObjects(schema.additionalProperties as JsonSchema);
  }
  return schema;
}
