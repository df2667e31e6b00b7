import type { KubeClient, ObjectReference } from '@immutable-infra/core';
import {
  ApiException,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Core's KubeClient for custom objects (list aside), on client-node against the test's real
 * kube-apiserver (the host's own client lives in the manager, which the kit must not depend on).
 * Errors carry the HTTP status as `status`, as the host's do; a delete of nothing is done, as there.
 */
export function customObjectClient(
  kubeConfig: KubeConfig,
  plural: string | ((kind: string) => string),
): KubeClient {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
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
  const unsupported = () => Promise.reject(new Error('not used by the kit'));
  return {
    async get<T>(ref: ObjectReference) {
      try {
        return (await api.getNamespacedCustomObject(where(ref))) as T;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    patchStatus: <T>(ref: ObjectReference, patch: Record<string, unknown>) =>
      withStatus(
        async () => (await api.patchNamespacedCustomObjectStatus({ ...where(ref), body: patch }, MERGE)) as T,
      ),
    patch: <T>(ref: ObjectReference, patch: Record<string, unknown>) =>
      withStatus(
        async () => (await api.patchNamespacedCustomObject({ ...where(ref), body: patch }, MERGE)) as T,
      ),
    create: <T extends { apiVersion: string; kind: string }>(object: T) => {
      const meta = (object as unknown as { metadata: { name: string; namespace?: string } }).metadata;
      const { name: _name, ...target } = where({ ...object, name: meta.name, namespace: meta.namespace });
      return withStatus(
        async () => (await api.createNamespacedCustomObject({ ...target, body: object })) as T,
      );
    },
    async delete(ref: ObjectReference) {
      try {
        await withStatus(() => api.deleteNamespacedCustomObject(where(ref)));
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    },
    list: unsupported,
  };
}
