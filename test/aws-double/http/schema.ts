// The SDK's own service models, read from the schemas each client package exports (`CreateRole$`,
// `LifecycleRule$` …), so that the wire codecs use the element names, bindings and formats the SDK
// itself serializes and expects. The static schema format is @smithy/types' public one
// (schema/static-schemas.d.ts, sentinels.d.ts and traits.d.ts).

/** Smithy traits: xmlName, xmlFlattened, httpHeader, httpQuery, httpPayload, http, … */
export type Traits = Record<string, any>;

export type ShapeKind =
  | 'string' | 'number' | 'boolean' | 'timestamp' | 'blob' | 'document' | 'bigint' | 'bigdecimal'
  | 'list' | 'map' | 'struct' | 'unit';

export interface Shape {
  kind: ShapeKind;
  name?: string;
  /** The member's own traits merged over its target's (what the SDK calls merged traits). */
  traits: Traits;
  /** The member's own traits only: the XML codecs name struct members by these. */
  memberTraits: Traits;
  /** Timestamps: 5 date-time, 6 http-date, 7 epoch-seconds, undefined for the protocol's default. */
  format?: 5 | 6 | 7;
  /** Blobs: a streaming body (S3 object data). */
  streaming?: boolean;
  /** List item or map value. */
  item(): Shape;
  /** Struct members, in model order. */
  members(): Array<[string, Shape]>;
}

export interface OperationModel {
  name: string;
  traits: Traits;
  input: Shape;
  output: Shape;
}

type Ref = unknown;

// traits.d.ts: bit i of a numeric trait vector.
const TRAIT_BITS = ['httpLabel', 'idempotent', 'idempotencyToken', 'sensitive', 'httpPayload', 'httpResponseCode', 'httpQueryParams'];

function traitsOf(raw: unknown): Traits {
  if (typeof raw === 'number') {
    const traits: Traits = {};
    TRAIT_BITS.forEach((name, bit) => {
      if (raw & (1 << bit)) traits[name] = 1;
    });
    return traits;
  }
  return raw && typeof raw === 'object' ? (raw as Traits) : {};
}

const deref = (ref: Ref): unknown => (typeof ref === 'function' ? (ref as () => unknown)() : ref);

// sentinels.d.ts
const SIMPLE: Record<number, Pick<Shape, 'kind' | 'format' | 'streaming'>> = {
  0: { kind: 'string' },
  1: { kind: 'number' },
  2: { kind: 'boolean' },
  4: { kind: 'timestamp' },
  5: { kind: 'timestamp', format: 5 },
  6: { kind: 'timestamp', format: 6 },
  7: { kind: 'timestamp', format: 7 },
  15: { kind: 'document' },
  17: { kind: 'bigint' },
  19: { kind: 'bigdecimal' },
  21: { kind: 'blob' },
  42: { kind: 'blob', streaming: true },
};
const LIST_MODIFIER = 64;
const MAP_MODIFIER = 128;

const none = (): never => {
  throw new Error('aws-double/http: not a list, map or structure');
};

function make(kind: ShapeKind, traits: Traits, memberTraits: Traits, extra: Partial<Shape> = {}): Shape {
  return { kind, traits: { ...traits, ...memberTraits }, memberTraits, item: none, members: () => [], ...extra };
}

function lazy<T>(compute: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= compute());
}

/** The normalized shape of a schema reference, as seen through a member with `memberTraits`. */
export function shapeOf(ref: Ref, memberTraits: Traits = {}): Shape {
  const schema = deref(ref);
  if (schema === 'unit') return make('unit', {}, memberTraits);
  if (typeof schema === 'number') {
    if (schema & MAP_MODIFIER) {
      return make('map', {}, memberTraits, { item: lazy(() => shapeOf(schema & ~MAP_MODIFIER)) });
    }
    if (schema & LIST_MODIFIER) {
      return make('list', {}, memberTraits, { item: lazy(() => shapeOf(schema & ~LIST_MODIFIER)) });
    }
    const simple = SIMPLE[schema] ?? { kind: 'string' };
    return make(simple.kind, {}, memberTraits, simple);
  }
  if (!Array.isArray(schema)) throw new Error(`aws-double/http: unknown schema ${String(schema)}`);
  if (schema.length === 2) {
    // A member schema: [target, member traits]; the outer member's traits win.
    return shapeOf(schema[0], { ...traitsOf(schema[1]), ...memberTraits });
  }
  const [id, , name, rawTraits] = schema as [number, string, string, unknown];
  const traits = traitsOf(rawTraits);
  switch (id) {
    case 0: {
      const target = shapeOf(schema[4]);
      return { ...target, name, traits: { ...traits, ...memberTraits }, memberTraits };
    }
    case 1:
      return make('list', traits, memberTraits, { name, item: lazy(() => shapeOf(schema[4])) });
    case 2:
      return make('map', traits, memberTraits, { name, item: lazy(() => shapeOf(schema[5])) });
    case 3:
    case 4:
    case -3: {
      const names = schema[4] as string[];
      const refs = schema[5] as Ref[];
      return make('struct', traits, memberTraits, {
        name,
        members: lazy(() => names.map((member, i): [string, Shape] => [member, shapeOf(refs[i])])),
      });
    }
    default:
      throw new Error(`aws-double/http: unexpected schema id ${id} for ${name}`);
  }
}

/** The model of `operation` in a client package's exports (`CreateRole$`), if it has one. */
export function operationModel(sdk: Record<string, unknown>, operation: string): OperationModel | undefined {
  const schema = sdk[`${operation}$`];
  if (!Array.isArray(schema) || schema[0] !== 9) return undefined;
  return { name: operation, traits: traitsOf(schema[3]), input: shapeOf(schema[4]), output: shapeOf(schema[5]) };
}

/** Every operation a client package models. */
export function operationModels(sdk: Record<string, unknown>): OperationModel[] {
  return Object.keys(sdk)
    .filter((key) => key.endsWith('$'))
    .map((key) => operationModel(sdk, key.slice(0, -1)))
    .filter((op): op is OperationModel => op !== undefined);
}

/** The traits of an error shape (`NoSuchEntityException$`), e.g. awsQueryError: [code, status]. */
export function errorTraits(sdk: Record<string, unknown>, name: string): Traits | undefined {
  const schema = sdk[`${name}$`];
  return Array.isArray(schema) && schema[0] === -3 ? traitsOf(schema[3]) : undefined;
}
