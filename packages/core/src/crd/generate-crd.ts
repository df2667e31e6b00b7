import { z } from 'zod';
import { contractLabels } from '../capi/contract.js';
import type { KindDefinition } from './define-kind.js';
import { type SchemaProblem, type StructuralSchema, toStructuralSchema } from './structural-schema.js';

/** A CustomResourceDefinition as plain JSON, ready to serialise or apply. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      deprecated?: boolean;
      deprecationWarning?: string;
      subresources?: { status: Record<string, never> };
      additionalPrinterColumns?: {
        name: string;
        type: string;
        jsonPath: string;
        description?: string;
        format?: string;
        priority?: number;
      }[];
      schema: { openAPIV3Schema: StructuralSchema };
    }[];
  };
}

/** Problems found while generating, each naming the kind, version and schema path. */
export class CrdGenerationError extends Error {
  constructor(readonly problems: readonly SchemaProblem[]) {
    super(`cannot generate CRD:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'CrdGenerationError';
  }
}

function jsonSchemaOf(schema: z.ZodType): unknown {
  // `input`: a field with a default is optional to whoever writes the object.
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
}

/**
 * Generates the CRD of a kind: structural schema per version, status
 * subresource, printer columns, CEL rules, contract labels, name plural.group.
 * Collects every problem across all versions and throws them together.
 */
export function generateCrd(definition: KindDefinition): CustomResourceDefinition {
  const problems: SchemaProblem[] = [];
  const prefix = (version: string, problem: SchemaProblem) => ({
    ...problem,
    path: `${definition.kind}.${version}.${problem.path}`,
  });
  const storageVersions = definition.versions.filter((v) => v.storage);
  if (storageVersions.length !== 1) {
    problems.push({
      path: definition.kind,
      message: `exactly one version must be the storage version, found ${storageVersions.length}`,
    });
  }

  const versions = definition.versions.map((version) => {
    const properties: Record<string, StructuralSchema> = {
      apiVersion: { type: 'string', description: 'APIVersion of this representation of the object.' },
      kind: { type: 'string', description: 'Kind is the REST resource this object represents.' },
      metadata: { type: 'object' },
    };
    const spec = toStructuralSchema(jsonSchemaOf(version.spec));
    problems.push(...spec.problems.map((p) => prefix(version.name, { ...p, path: `spec${tail(p.path)}` })));
    properties.spec = spec.schema;
    if (version.status) {
      const status = toStructuralSchema(jsonSchemaOf(version.status));
      problems.push(
        ...status.problems.map((p) => prefix(version.name, { ...p, path: `status${tail(p.path)}` })),
      );
      properties.status = status.schema;
    }
    const root: StructuralSchema = { type: 'object', properties };
    if (!isOptional(version.spec)) root.required = ['spec'];
    if (version.validations?.length) root['x-kubernetes-validations'] = [...version.validations];
    return {
      name: version.name,
      served: version.served ?? true,
      storage: version.storage ?? false,
      ...(version.deprecated ? { deprecated: true } : {}),
      ...(version.deprecationWarning ? { deprecationWarning: version.deprecationWarning } : {}),
      ...(version.status ? { subresources: { status: {} as Record<string, never> } } : {}),
      ...(version.printerColumns?.length
        ? { additionalPrinterColumns: version.printerColumns.map((column) => ({ ...column })) }
        : {}),
      schema: { openAPIV3Schema: root },
    };
  });

  if (problems.length > 0) throw new CrdGenerationError(problems);
  const labels = definition.contract ? contractLabels(definition.contract) : {};
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${definition.plural}.${definition.group}`,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
    },
    spec: {
      group: definition.group,
      scope: definition.scope,
      names: {
        kind: definition.kind,
        listKind: definition.listKind ?? `${definition.kind}List`,
        plural: definition.plural,
        singular: definition.singular ?? definition.kind.toLowerCase(),
        ...(definition.shortNames?.length ? { shortNames: [...definition.shortNames] } : {}),
        ...(definition.categories?.length ? { categories: [...definition.categories] } : {}),
      },
      versions,
    },
  };
}

function tail(path: string): string {
  return path === '<root>' ? '' : path.startsWith('[') ? path : `.${path}`;
}

function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}
