import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { generateCrd } from '@immutable-infra/core';
import { compareCrdFields } from '@immutable-infra/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hcsKinds } from '../src/api/index.js';

/**
 * Development check: every field of the CRDs published with the product
 * documentation (kept beside our checkouts in ../shared, never in the
 * project) exists in ours with the same type, so documented manifests fit.
 */
const referenceDir = new URL('../../../../shared/reference/crds/huawei-cloud-stack/', import.meta.url);
const haveReference = existsSync(referenceDir);
if (!haveReference) {
  console.warn(
    `reference CRDs not found at ${referenceDir.pathname}: skipping the field-by-field comparison`,
  );
}

describe.skipIf(!haveReference)('HCS CRDs compared with the documented reference', () => {
  const ours = new Map(hcsKinds.map((kind) => [kind.kind, generateCrd(kind)]));
  const files = haveReference ? readdirSync(referenceDir).filter((f) => f.endsWith('.yaml')) : [];

  it.each(files)('%s: every documented field exists in ours with the same type', (file) => {
    const reference = parse(readFileSync(new URL(file, referenceDir), 'utf8'));
    const kind: string = reference.spec.names.kind;
    const crd = ours.get(kind);
    expect(crd, `we define ${kind}`).toBeDefined();
    expect(crd?.metadata.name).toBe(reference.metadata.name);
    // The reference CRDs carry no contract labels; ours do, for Cluster API to find the contract versions.
    expect(crd?.metadata.labels?.['cluster.x-k8s.io/v1beta1']).toBe('v1beta1');
    const { missing, retyped } = compareCrdFields(
      reference.spec.versions[0].schema.openAPIV3Schema,
      crd?.spec.versions[0]?.schema.openAPIV3Schema,
    );
    expect(missing).toEqual([]);
    expect(retyped).toEqual([]);
  });
});
