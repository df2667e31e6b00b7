/**
 * Converts the JSON Schema that zod emits (draft 2020-12) into the structural
 * OpenAPI v3 subset that Kubernetes accepts for CRDs. Every construct it cannot
 * express is reported with its path instead of being dropped silently.
 */

/** An OpenAPI v3 schema as a CRD holds it. */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  additionalProperties?: StructuralSchema;
  items?: StructuralSchema;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-embedded-resource'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: CelRule[];
}

/** A CEL validation rule (`x-kubernetes-validations` entry). */
export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  optionalOldSelf?: boolean;
}

export interface SchemaProblem {
  /** JSON path of the offending schema node, e.g. `spec.vmConfig.disks[]`. */
  path: string;
  message: string;
}

type JsonSchema = Record<string, unknown>;

// zod writes Number.MAX_SAFE_INTEGER bounds for every z.number().int(); they say nothing to a reader.
const SAFE_INTEGER = 9007199254740991;

const COPIED_KEYWORDS = [
  'description',
  'default',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
] as const;

const KUBERNETES_EXTENSIONS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
] as const;

// Formats the API server validates itself. zod adds a JavaScript regex for
// each; the API server's own check gives a clearer message and RE2 might not
// accept the regex, so the pattern is dropped.
const KUBERNETES_FORMATS = new Set([
  'ipv4',
  'ipv6',
  'cidr',
  'mac',
  'uuid',
  'hostname',
  'email',
  'uri',
  'date',
  'date-time',
  'duration',
  'byte',
]);

// Keywords that carry no meaning for Kubernetes and are safe to drop.
const IGNORED_KEYWORDS = new Set(['$schema', 'propertyNames', 'id', 'title', 'examples', '$id']);

/** Converts one schema; returns the result and every problem found on the way. */
export function toStructuralSchema(schema: unknown): { schema: StructuralSchema; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  const result = convert(schema as JsonSchema, '', problems);
  return { schema: result, problems };
}

function convert(input: JsonSchema, path: string, problems: SchemaProblem[]): StructuralSchema {
  const here = path === '' ? '<root>' : path;
  const out: StructuralSchema = {};
  let node = input;

  // int-or-string: anyOf [integer, string] (zod: z.union([z.number().int(), z.string()])).
  if (Array.isArray(node.anyOf)) {
    const branches = node.anyOf as JsonSchema[];
    const types = branches.map((b) => b.type).sort();
    const nonNull = branches.filter((b) => b.type !== 'null');
    if (types.length === 2 && types[0] === 'integer' && types[1] === 'string') {
      out['x-kubernetes-int-or-string'] = true;
      copyAnnotations(node, out);
      return out;
    }
    if (nonNull.length === 1 && nonNull.length < branches.length) {
      // T | null: a nullable T.
      const inner = convert({ ...node, anyOf: undefined, ...nonNull[0] }, path, problems);
      return { ...inner, nullable: true };
    }
    problems.push({
      path: here,
      message:
        'unions other than int-or-string or T | null are not structural; use one object with optional fields',
    });
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (
    node.oneOf !== undefined ||
    node.allOf !== undefined ||
    node.not !== undefined ||
    node.$ref !== undefined
  ) {
    problems.push({
      path: here,
      message: 'oneOf, allOf, not and $ref cannot be expressed in a structural schema',
    });
  }

  let type = node.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    if (nonNull.length !== 1) {
      problems.push({ path: here, message: `a field must have one type, not ${type.join(', ')}` });
    }
    if (nonNull.length < type.length) out.nullable = true;
    type = nonNull[0];
  }
  if (node.const !== undefined) node = { ...node, enum: [node.const] };

  switch (type) {
    case 'object':
    case 'array':
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      out.type = type;
      break;
    case undefined:
      // z.unknown() / z.any(): an opaque value the API server must keep as given.
      if (node['x-kubernetes-int-or-string'] === undefined)
        out['x-kubernetes-preserve-unknown-fields'] = true;
      break;
    default:
      problems.push({ path: here, message: `type ${String(type)} has no Kubernetes equivalent` });
  }

  for (const key of COPIED_KEYWORDS) if (node[key] !== undefined) (out as JsonSchema)[key] = node[key];
  if (typeof out.format === 'string' && KUBERNETES_FORMATS.has(out.format)) delete out.pattern;
  if (Array.isArray(node.enum)) out.enum = node.enum;
  convertBounds(node, out);

  if (node.properties !== undefined) {
    out.properties = {};
    for (const [name, child] of Object.entries(node.properties as Record<string, JsonSchema>)) {
      out.properties[name] = convert(child, path === '' ? name : `${path}.${name}`, problems);
    }
    if (Array.isArray(node.required) && node.required.length > 0)
      out.required = [...(node.required as string[])];
  }
  if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) {
    if (out.properties !== undefined) {
      problems.push({
        path: here,
        message: 'an object cannot have both fixed properties and a value schema',
      });
    } else {
      out.additionalProperties = convert(node.additionalProperties as JsonSchema, `${path}[*]`, problems);
    }
  }
  if (node.items !== undefined) {
    if (Array.isArray(node.items) || node.prefixItems !== undefined) {
      problems.push({ path: here, message: 'tuples cannot be expressed in a structural schema' });
    } else {
      out.items = convert(node.items as JsonSchema, `${path}[]`, problems);
    }
  }

  for (const key of KUBERNETES_EXTENSIONS) if (node[key] !== undefined) (out as JsonSchema)[key] = node[key];
  for (const key of Object.keys(node)) {
    if (IGNORED_KEYWORDS.has(key) || key in out || KNOWN_INPUT_KEYWORDS.has(key)) continue;
    if ((COPIED_KEYWORDS as readonly string[]).includes(key)) continue;
    problems.push({ path: here, message: `JSON Schema keyword "${key}" is not supported in CRDs` });
  }
  return out;
}

const KNOWN_INPUT_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'const',
  'enum',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  '$ref',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'prefixItems',
]);

function convertBounds(node: JsonSchema, out: StructuralSchema): void {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const minimum = num(node.minimum);
  const maximum = num(node.maximum);
  const exclusiveMinimum = num(node.exclusiveMinimum);
  const exclusiveMaximum = num(node.exclusiveMaximum);
  if (minimum !== undefined && minimum !== -SAFE_INTEGER) out.minimum = minimum;
  if (maximum !== undefined && maximum !== SAFE_INTEGER) out.maximum = maximum;
  if (exclusiveMinimum !== undefined) {
    out.minimum = exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (exclusiveMaximum !== undefined) {
    out.maximum = exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
}

function copyAnnotations(node: JsonSchema, out: StructuralSchema): void {
  if (typeof node.description === 'string') out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  for (const key of KUBERNETES_EXTENSIONS) if (node[key] !== undefined) (out as JsonSchema)[key] = node[key];
}
