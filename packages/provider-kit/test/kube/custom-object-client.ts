import type { KubeClient, ObjectReference } from '@immutable-infra/core';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Core's KubeClient for custom objects (and reading a Namespace; Secrets, which kit steps make and hold), on client-node against the test's real
 * kube-apiserver (the host's own client lives in the manager, which the kit must not depend on).
 * Errors carry the HTTP status as `status`, as the host's do; a delete of nothing is done, as there.
 */
export function customObjectClient(
  kubeConfig: KubeConfig,
  plural: string | ((kind: string) => string),
  /** Kinds served cluster-scoped (CustomResourceDefinition, the platform's module kinds, identities). */
  clusterScoped: readonly string[] = [],
): KubeClient {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const isClusterScoped = (kind: string) => clusterScoped.includes(kind);
  const isSecret = (ref: { apiVersion: string; kind: string }) =>
    ref.apiVersion === 'v1' && ref.kind === 'Secret';
  const secretAt = (ref: ObjectReference) => ({ name: ref.name, namespace: ref.namespace ?? 'default' });
  const pluralOf = typeof plural === 'string' ? () => plural : plural;
  const where = (ref: ObjectReference) => {
    const [group = '', version = ''] = ref.apiVersion.split('/');
    return {
      group,
      version,
      plural: pluralOf(ref.kind),
      namespace: ref.namespace ?? 'default',
      name: ref.name,
    };
  };
  const withStatus = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiException)
        throw Object.assign(new Error(`HTTP ${error.code}`), { status: error.code });
      throw error;
    }
  };
  return {
    async get<T>(ref: ObjectReference) {
      try {
        if (ref.apiVersion === 'v1' && ref.kind === 'Namespace')
          return (await core.readNamespace({ name: ref.name })) as T;
        if (isSecret(ref)) return (await core.readNamespacedSecret(secretAt(ref))) as T;
        if (isClusterScoped(ref.kind)) {
          const { namespace: _namespace, ...target } = where(ref);
          return (await api.getClusterCustomObject(target)) as T;
        }
        return (await api.getNamespacedCustomObject(where(ref))) as T;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    patchStatus: <T>(ref: ObjectReference, patch: Record<string, unknown>) =>
      withStatus(async () => {
        if (isClusterScoped(ref.kind)) {
          const { namespace: _namespace, ...target } = where(ref);
          return (await api.patchClusterCustomObjectStatus({ ...target, body: patch }, MERGE)) as T;
        }
        return (await api.patchNamespacedCustomObjectStatus({ ...where(ref), body: patch }, MERGE)) as T;
      }),
    patch: <T>(ref: ObjectReference, patch: Record<string, unknown>) =>
      withStatus(async () => {
        if (isSecret(ref))
          return (await core.patchNamespacedSecret({ ...secretAt(ref), body: patch }, MERGE)) as T;
        if (isClusterScoped(ref.kind)) {
          const { namespace: _namespace, ...target } = where(ref);
          return (await api.patchClusterCustomObject({ ...target, body: patch }, MERGE)) as T;
        }
        return (await api.patchNamespacedCustomObject({ ...where(ref), body: patch }, MERGE)) as T;
      }),
    create: <T extends { apiVersion: string; kind: string }>(object: T) => {
      const meta = (object as unknown as { metadata: { name: string; namespace?: string } }).metadata;
      const { name: _name, ...target } = where({ ...object, name: meta.name, namespace: meta.namespace });
      return withStatus(async () => {
        if (isSecret(object))
          return (await core.createNamespacedSecret({ namespace: target.namespace, body: object })) as T;
        if (isClusterScoped(object.kind)) {
          const { namespace: _namespace, ...clusterTarget } = target;
          return (await api.createClusterCustomObject({ ...clusterTarget, body: object })) as T;
        }
        return (await api.createNamespacedCustomObject({ ...target, body: object })) as T;
      });
    },
    async delete(ref: ObjectReference) {
      try {
        await withStatus(() =>
          isSecret(ref)
            ? core.deleteNamespacedSecret(secretAt(ref))
            : api.deleteNamespacedCustomObject(where(ref)),
        );
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    },
    async list<T>(
      apiVersion: string,
      kind: string,
      options: { namespace?: string; labelSelector?: string } = {},
    ) {
      const { group, version, plural: resource } = where({ apiVersion, kind, name: '' });
      const selector = options.labelSelector ? { labelSelector: options.labelSelector } : {};
      const listed = (await withStatus(() =>
        options.namespace
          ? api.listNamespacedCustomObject({
              group,
              version,
              plural: resource,
              namespace: options.namespace,
              ...selector,
            })
          : api.listClusterCustomObject({ group, version, plural: resource, ...selector }),
      )) as { items: T[] };
      return listed.items;
    },
  };
}
