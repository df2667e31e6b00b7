import { readFileSync } from 'node:fs';
import { ApiException, type KubernetesObject, type KubernetesObjectApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/**
 * Creates the object and says what the API server made of it: `accepted`, or the status code and
 * the server's message (schema, CEL and admission refusals name the field). For tests that hold
 * values to the CRDs, so a refusal's words are asserted, not only that one happened.
 */
export async function apiServerVerdict(objects: KubernetesObjectApi, object: unknown): Promise<string> {
  try {
    await objects.create(object as KubernetesObject);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return `${error.code} ${body?.message ?? ''}`;
  }
}

/**
 * The objects of a multi-document YAML fixture (a provider's documented manifests), with every
 * `NAMESPACE` replaced by the test's namespace so they can be created as they are.
 */
export function documentedManifests(file: URL, namespace: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8').replaceAll('NAMESPACE', namespace)).map(
    (document) => document.toJS() as KubernetesObject,
  );
}

/** A documented object to edit freely into a bad manifest. */
export interface EditableManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  // biome-ignore lint/suspicious/noExplicitAny: tests edit fixtures freely to make bad manifests
  spec: Record<string, any>;
}

/**
 * A CRD test's access to its documented manifests fixture, for the namespace `namespace()` answers
 * once the test has made it: `all()` the objects as documented, `bad(kind)` a copy of the first
 * object of that kind under a fresh name (prefixed with the namespace, so cluster-scoped kinds do
 * not collide either), to break and create.
 */
export function documentedFixtures(file: URL, namespace: () => string) {
  let counter = 0;
  const all = () => documentedManifests(file, namespace());
  return {
    all,
    bad(kind: string): EditableManifest {
      const object = all().find((o) => o.kind === kind);
      if (!object) throw new Error(`${file.pathname} has no ${kind}`);
      const copy = structuredClone(object) as EditableManifest;
      copy.metadata.name = `${namespace()}-bad-${++counter}`;
      return copy;
    },
  };
}
