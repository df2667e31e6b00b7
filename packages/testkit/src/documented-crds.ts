import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { CustomResourceDefinition } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareCrdFields, crdFieldTypes } from './crd-fields.js';

/**
 * What a provider's tests need of the CRDs published with the product documentation: per CRD its
 * name, kind, Cluster API contract label and every field path with its type. Only these facts are
 * kept in the project (the digest file); the CRDs themselves stay outside it.
 */
export interface DocumentedCrdDigest {
  source: string;
  crds: {
    name: string;
    kind: string;
    /** Absent when the documented CRD has no `cluster.x-k8s.io/v1beta1` label. */
    contractV1beta1?: string;
    /** The documented `kubectl get` short names; absent when it has none. */
    shortNames?: string[];
    fields: Record<string, string>;
  }[];
}

interface ReferenceCrd {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    names: { kind: string; shortNames?: string[] };
    versions: { storage?: boolean; schema: { openAPIV3Schema: unknown } }[];
  };
}

/**
 * The schema of the version a CRD stores: the one its objects are read and written in. CRDs that
 * still list old, unserved versions (Cluster API vSphere lists v1alpha3 and v1alpha4 first) are
 * compared by the current one.
 */
const storedSchema = (crd: ReferenceCrd): unknown =>
  (crd.spec.versions.find((version) => version.storage) ?? crd.spec.versions[0])?.schema.openAPIV3Schema;

/**
 * The digest of the reference CRD files in `referenceDir`, in file name order; only the CRDs of
 * `kinds` when given (a provider whose kinds are not all written yet).
 */
export function documentedCrdDigest(
  referenceDir: URL,
  source: string,
  kinds?: readonly string[],
): DocumentedCrdDigest {
  const files = readdirSync(referenceDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  return {
    source,
    crds: files.flatMap((file) => {
      const crd = parse(readFileSync(new URL(file, referenceDir), 'utf8')) as ReferenceCrd;
      if (kinds && !kinds.includes(crd.spec.names.kind)) return [];
      return {
        name: crd.metadata.name,
        kind: crd.spec.names.kind,
        ...(crd.metadata.labels?.['cluster.x-k8s.io/v1beta1']
          ? { contractV1beta1: crd.metadata.labels['cluster.x-k8s.io/v1beta1'] }
          : {}),
        ...(crd.spec.names.shortNames?.length ? { shortNames: [...crd.spec.names.shortNames] } : {}),
        fields: Object.fromEntries(crdFieldTypes(storedSchema(crd))),
      };
    }),
  };
}

/**
 * The tests that hold a provider's CRDs to the documented ones: every documented field exists in
 * ours with the same type, under the same CRD name and contract label. They run from the digest
 * the project keeps, so they never skip; where the reference CRDs are at hand (a development
 * checkout with `../shared`), another test checks the digest still matches them, and
 * `IINFRA_UPDATE_DOCUMENTED_CRDS=1` rewrites it.
 */
export function describeDocumentedCrds(options: {
  platform: string;
  ours: readonly CustomResourceDefinition[];
  digestFile: URL;
  referenceDir: URL;
  /** Compare only the documented CRDs of these kinds; all of them when absent. */
  kinds?: readonly string[];
}): void {
  const source = `product documentation reference CRDs (${options.platform}): names, contract labels, field paths and types`;
  const haveReference = existsSync(options.referenceDir);
  if (haveReference && process.env.IINFRA_UPDATE_DOCUMENTED_CRDS === '1')
    writeFileSync(
      options.digestFile,
      `${JSON.stringify(documentedCrdDigest(options.referenceDir, source, options.kinds), null, 2)}\n`,
    );
  const digest = JSON.parse(readFileSync(options.digestFile, 'utf8')) as DocumentedCrdDigest;
  const ours = new Map(options.ours.map((crd) => [crd.spec.names.kind, crd]));

  describe(`${options.platform} CRDs compared with the documented ones`, () => {
    it.each(digest.crds.map((crd) => [crd.name, crd] as const))(
      '%s: every documented field exists in ours with the same type, under the documented names',
      (_name, documented) => {
        const crd = ours.get(documented.kind);
        expect(crd, `we define ${documented.kind}`).toBeDefined();
        expect(crd?.metadata.name).toBe(documented.name);
        // Not every documented CRD carries the contract label (HCS's do not); ours always do.
        if (documented.contractV1beta1 !== undefined)
          expect(crd?.metadata.labels?.['cluster.x-k8s.io/v1beta1']).toBe(documented.contractV1beta1);
        // The runbooks' `kubectl get hcsmt` works: every documented short name is one of ours.
        expect(crd?.spec.names.shortNames ?? []).toEqual(expect.arrayContaining(documented.shortNames ?? []));
        const mine = crdFieldTypes(crd?.spec.versions[0]?.schema.openAPIV3Schema);
        const missing = Object.keys(documented.fields).filter((path) => !mine.has(path));
        const retyped = Object.entries(documented.fields)
          .filter(([path, type]) => mine.has(path) && mine.get(path) !== type)
          .map(([path, type]) => `${path}: documented ${type}, ours ${mine.get(path)}`);
        expect(missing).toEqual([]);
        expect(retyped).toEqual([]);
      },
    );

    it.skipIf(!haveReference)('keeps a digest that matches the reference CRDs beside the checkout', () => {
      const live = documentedCrdDigest(options.referenceDir, source, options.kinds);
      expect(
        digest,
        'the reference CRDs changed: rerun with IINFRA_UPDATE_DOCUMENTED_CRDS=1 and commit the digest',
      ).toEqual(live);
      // The digest says the same as the field-by-field comparison of the files themselves.
      for (const file of readdirSync(options.referenceDir).filter((f) => f.endsWith('.yaml'))) {
        const reference = parse(readFileSync(new URL(file, options.referenceDir), 'utf8')) as ReferenceCrd;
        if (options.kinds && !options.kinds.includes(reference.spec.names.kind)) continue;
        const crd = ours.get(reference.spec.names.kind);
        expect(
          compareCrdFields(storedSchema(reference), crd?.spec.versions[0]?.schema.openAPIV3Schema),
        ).toEqual({ missing: [], retyped: [] });
      }
    });
  });
}
