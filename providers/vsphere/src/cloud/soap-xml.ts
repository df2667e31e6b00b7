import { XMLParser } from 'fast-xml-parser';

/**
 * The few XML shapes vim25 (vSphere Web Services, SOAP 1.1 document/literal) needs, written by
 * hand: a request body is a short, fixed sequence of elements, and writing it ourselves keeps the
 * element order the WSDL requires (vCenter checks it) and the `xsi:type` of polymorphic values
 * explicit. Answers are read with fast-xml-parser into plain values (see {@link readValue}).
 */

/** A managed object reference, as vSphere returns it and as status can record it. */
export interface MoRef {
  type: string;
  value: string;
}

/** A value of a polymorphic element, written with `xsi:type` (`TraversalSpec`, `xsd:string`). */
export interface Typed {
  readonly $type: string;
  readonly [field: string]: SoapValue;
}

/** What a request element may hold; objects are written in their insertion order. */
export type SoapValue =
  | string
  | number
  | boolean
  | undefined
  | Reference
  | Typed
  | readonly SoapValue[]
  | { readonly [field: string]: SoapValue };

/** Marks a managed object reference for the writer: `<name type="VirtualMachine">vm-1</name>`. */
export class Reference {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}
}

export const ref = (moRef: MoRef): Reference => new Reference(moRef.type, moRef.value);

/** A typed simple value, e.g. an OptionValue's `value` (xsd:anyType): `typedText('xsd:string', 'x')`. */
export function typedText(xsiType: string, text: string | number | boolean): Typed {
  return { $type: xsiType, $text: String(text) };
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** One element (or, for an array, one element per item) named `name`. */
export function element(name: string, value: SoapValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  if (value instanceof Reference)
    return `<${name} type="${escapeXml(value.type)}">${escapeXml(value.value)}</${name}>`;
  if (typeof value !== 'object') return `<${name}>${escapeXml(String(value))}</${name}>`;
  const fields = value as Record<string, SoapValue>;
  const xsiType = typeof fields.$type === 'string' ? ` xsi:type="${escapeXml(fields.$type)}"` : '';
  if (fields.$text !== undefined) return `<${name}${xsiType}>${escapeXml(String(fields.$text))}</${name}>`;
  let inner = '';
  for (const [field, item] of Object.entries(fields))
    if (!field.startsWith('$')) inner += element(field, item);
  return `<${name}${xsiType}>${inner}</${name}>`;
}

/** A whole request: `<method xmlns="urn:vim25"><_this ...>...</_this>...fields</method>` in an envelope. */
export function envelope(method: string, self: MoRef, fields: Record<string, SoapValue> = {}): string {
  let inner = element('_this', ref(self));
  for (const [name, value] of Object.entries(fields)) inner += element(name, value);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><${method} xmlns="urn:vim25">${inner}</${method}></soapenv:Body></soapenv:Envelope>`
  );
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  // Keep every value a string: a UUID or a name made of digits is not a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
});

export type XmlNode = Record<string, unknown>;

/** The parsed document; throws when the text is not XML. */
export function parseXml(text: string): XmlNode {
  const parsed = parser.parse(text, true) as unknown;
  if (!parsed || typeof parsed !== 'object') throw new Error('the answer is not XML');
  return parsed as XmlNode;
}

/** The child with this local name, whatever its namespace prefix (`soapenv:Body`, `Body`). */
export function child(node: unknown, localName: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as XmlNode)) {
    if (key === localName || key.endsWith(`:${localName}`)) return value;
  }
  return undefined;
}

/** A repeated element as an array (one occurrence parses as the element itself). */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * An answer element as a plain value: text stays a string; a managed object reference becomes
 * {@link MoRef}; `ArrayOf*` becomes an array; a complex value becomes an object whose repeated
 * children are arrays of plain values, with its `xsi:type` (when given) as `_type`.
 */
export function readValue(node: unknown): unknown {
  if (node === undefined || node === null) return undefined;
  if (typeof node !== 'object') return String(node);
  if (Array.isArray(node)) return node.map(readValue);
  const fields = node as XmlNode;
  const xsiType = xsiTypeOf(fields);
  const children = Object.entries(fields).filter(([key]) => !key.startsWith('@') && key !== '#text');
  if (children.length === 0) {
    const text = fields['#text'] === undefined ? '' : String(fields['#text']);
    if (typeof fields['@type'] === 'string') return { type: fields['@type'], value: text };
    if (xsiType?.startsWith('ArrayOf')) return [];
    // A complex value with no fields (a fault such as `<fault xsi:type="InvalidPowerState"/>`).
    if (xsiType && !xsiType.startsWith('xsd:') && text === '') return { _type: xsiType };
    return text;
  }
  if (xsiType?.startsWith('ArrayOf')) return children.flatMap(([, value]) => list(value).map(readValue));
  const out: Record<string, unknown> = xsiType ? { _type: xsiType } : {};
  for (const [key, value] of children) {
    const name = key.includes(':') ? key.slice(key.indexOf(':') + 1) : key;
    out[name] = Array.isArray(value) ? value.map(readValue) : readValue(value);
  }
  return out;
}

/**
 * The element's `xsi:type`, whatever prefix the XML Schema instance namespace has: vCenter writes
 * `xsi:type`, Go's encoder (vcsim) declares the namespace on the element as `XMLSchema-instance:type`.
 */
export function xsiTypeOf(fields: XmlNode): string | undefined {
  for (const [key, value] of Object.entries(fields))
    if (typeof value === 'string' && /^@[^:]+:type$/.test(key)) return value;
  return undefined;
}

/** A managed object reference read from an answer element, or undefined when there is none. */
export function readMoRef(node: unknown): MoRef | undefined {
  const value = readValue(node);
  if (value && typeof value === 'object' && 'type' in value && 'value' in value) {
    const { type, value: id } = value as { type: unknown; value: unknown };
    if (typeof type === 'string' && typeof id === 'string' && id !== '') return { type, value: id };
  }
  return undefined;
}
