/** An OpenAPI v3 schema as CRDs carry it, as far as field comparison needs. */
interface SchemaNode {
  type?: string;
  'x-kubernetes-int-or-string'?: boolean;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

/** Every field path of a schema (`.spec.pool[].ip`) with its type. */
export function crdFieldTypes(
  schema: unknown,
  path = '',
  out = new Map<string, string>(),
): Map<string, string> {
  const node = schema as SchemaNode | undefined;
  if (!node || typeof node !== 'object') return out;
  out.set(path, node.type ?? (node['x-kubernetes-int-or-string'] ? 'int-or-string' : 'any'));
  for (const [name, child] of Object.entries(node.properties ?? {}))
    crdFieldTypes(child, `${path}.${name}`, out);
  if (node.items) crdFieldTypes(node.items, `${path}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    crdFieldTypes(node.additionalProperties, `${path}[*]`, out);
  }
  return out;
}

/**
 * Which fields of a reference schema (a CRD others publish, whose manifests
 * must keep working) ours lacks, and which it types differently.
 */
export function compareCrdFields(
  reference: unknown,
  ours: unknown,
): { missing: string[]; retyped: string[] } {
  const theirs = crdFieldTypes(reference);
  const mine = crdFieldTypes(ours);
  return {
    missing: [...theirs].filter(([path]) => !mine.has(path)).map(([path]) => path),
    retyped: [...theirs]
      .filter(([path, type]) => mine.has(path) && mine.get(path) !== type)
      .map(([path, type]) => `${path}: reference ${type}, ours ${mine.get(path)}`),
  };
}
