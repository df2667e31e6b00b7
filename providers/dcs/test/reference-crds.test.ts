import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { generateCrd, type StructuralSchema } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dcsKinds } from '../src/api/index.js';

/**
 * Development check: every field of the CRDs published with the product
 * documentation (kept beside our checkouts in ../shared, never in the
 * project) exists in ours with the same type, so documented manifests fit.
 */
const referenceDir = new URL('../../../../shared/reference/crds/huawei-dcs/', import.meta.url);
const haveReference = existsSync(referenceDir);
if (!haveReference) {
  console.warn(
    `reference CRDs not found at ${referenceDir.pathname}: skipping the field-by-field comparison`,
  );
}

type Schema = StructuralSchema & {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
};

function fields(schema: Schema | undefined, path: string, out: Map<string, string>): Map<string, string> {
  if (!schema) return out;
  out.set(path, schema.type ?? (schema['x-kubernetes-int-or-string'] ? 'int-or-string' : 'any'));
  for (const [name, child] of Object.entries(schema.properties ?? {})) fields(child, `${path}.${name}`, out);
  if (schema.items) fields(schema.items, `${path}[]`, out);
  if (schema.additionalProperties) fields(schema.additionalProperties, `${path}[*]`, out);
  return out;
}

describe.skipIf(!haveReference)('DCS CRDs compared with the documented reference', () => {
  const ours = new Map(dcsKinds.map((kind) => [kind.kind, generateCrd(kind)]));
  const files = haveReference ? readdirSync(referenceDir).filter((f) => f.endsWith('.yaml')) : [];

  it.each(files)('%s: every documented field exists in ours with the same type', (file) => {
    const reference = parse(readFileSync(new URL(file, referenceDir), 'utf8'));
    const kind: string = reference.spec.names.kind;
    const crd = ours.get(kind);
    expect(crd, `we define ${kind}`).toBeDefined();
    expect(crd?.metadata.name).toBe(reference.metadata.name);
    expect(crd?.metadata.labels?.['cluster.x-k8s.io/v1beta1']).toBe(
      reference.metadata.labels['cluster.x-k8s.io/v1beta1'],
    );
    const theirs = fields(reference.spec.versions[0].schema.openAPIV3Schema, '', new Map());
    const mine = fields(crd?.spec.versions[0]?.schema.openAPIV3Schema as Schema, '', new Map());
    const missing = [...theirs].filter(([path]) => !mine.has(path)).map(([path]) => path);
    const retyped = [...theirs]
      .filter(([path, type]) => mine.has(path) && mine.get(path) !== type)
      .map(([path, type]) => `${path}: documented ${type}, ours ${mine.get(path)}`);
    expect(missing).toEqual([]);
    expect(retyped).toEqual([]);
  });
});
