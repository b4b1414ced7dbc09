// Values ⇄ XML by the SDK's schemas, with the rules its XmlShapeSerializer/Deserializer follow (shared
// by awsQuery responses and REST-XML bodies): struct members named by their xmlName trait, lists
// wrapped in <member> (or the item's xmlName) unless xmlFlattened, maps as <entry><key/><value/></entry>,
// timestamps as date-time unless a trait says otherwise, blobs as base64.
import type { Shape } from './schema.js';
import { parseScalar, scalarText } from './values.js';
import { escapeXml, xmlElement, type XmlElement } from './xml.js';

const present = (value: unknown) => value !== undefined && value !== null;

/** The element(s) for one value: a flattened list or map gives one element per item, all named `name`. */
export function toXml(name: string, shape: Shape, value: unknown): string {
  if (!present(value)) return '';
  switch (shape.kind) {
    case 'list': {
      const item = shape.item();
      const items = (value as unknown[]).filter(present);
      if (shape.traits.xmlFlattened) return items.map((v) => toXml(name, item, v)).join('');
      return xmlElement(name, items.map((v) => toXml(item.traits.xmlName ?? 'member', item, v)).join(''));
    }
    case 'map': {
      const item = shape.item();
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => present(v));
      const entry = ([k, v]: [string, unknown]) => xmlElement('key', escapeXml(k)) + toXml(item.traits.xmlName ?? 'value', item, v);
      if (shape.traits.xmlFlattened) return entries.map((e) => xmlElement(name, entry(e))).join('');
      return xmlElement(name, entries.map((e) => xmlElement('entry', entry(e))).join(''));
    }
    case 'struct':
      return xmlElement(name, structToXml(shape, value as Record<string, unknown>));
    case 'unit':
      return '';
    default:
      return xmlElement(name, escapeXml(scalarText(shape, value, 5)));
  }
}

/** A structure's child elements; `include` picks the members that belong in the body. */
export function structToXml(shape: Shape, value: Record<string, unknown>, include: (member: Shape) => boolean = () => true): string {
  let xml = '';
  for (const [name, member] of shape.members()) {
    if (!include(member) || member.traits.xmlAttribute) continue;
    xml += toXml(member.memberTraits.xmlName ?? name, member, value[name]);
  }
  return xml;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);
const childrenNamed = (el: XmlElement, name: string) => el.children.filter((c) => localName(c.name) === name);

/** An element (parsed by xml.ts) → the value the SDK would have built for `shape`. */
export function fromXml(shape: Shape, el: XmlElement): unknown {
  switch (shape.kind) {
    case 'struct':
      return structFromXml(shape, el);
    case 'list': {
      const item = shape.item();
      return childrenNamed(el, item.traits.xmlName ?? 'member').map((c) => fromXml(item, c));
    }
    case 'map':
      return mapFromEntries(shape, childrenNamed(el, 'entry'));
    case 'unit':
      return undefined;
    default:
      return parseScalar(shape, el.text, 5);
  }
}

export function structFromXml(shape: Shape, el: XmlElement, include: (member: Shape) => boolean = () => true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of shape.members()) {
    if (!include(member)) continue;
    const key = member.memberTraits.xmlName ?? name;
    if (member.traits.xmlAttribute) {
      const attribute = Object.keys(el.attributes).find((a) => localName(a) === key);
      if (attribute !== undefined) out[name] = parseScalar(member, el.attributes[attribute], 5);
      continue;
    }
    const matches = childrenNamed(el, key);
    if (matches.length === 0) continue;
    if (member.kind === 'list' && member.traits.xmlFlattened) out[name] = matches.map((c) => fromXml(member.item(), c));
    else if (member.kind === 'map' && member.traits.xmlFlattened) out[name] = mapFromEntries(member, matches);
    else out[name] = fromXml(member, matches[0]);
  }
  return out;
}

function mapFromEntries(shape: Shape, entries: XmlElement[]): Record<string, unknown> {
  const item = shape.item();
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const key = childrenNamed(entry, 'key')[0]?.text ?? '';
    const value = childrenNamed(entry, item.traits.xmlName ?? 'value')[0];
    if (value) out[key] = fromXml(item, value);
  }
  return out;
}
