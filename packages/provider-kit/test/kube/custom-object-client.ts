import type { KubeClient, ObjectReference } from '@immutable-infra/core';
import {
  ApiException,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

/**
 * The slice of core's KubeClient the claimable pool uses, on client-node against the test's real
 * kube-apiserver (the host's own client lives in the manager, which the kit must not depend on).
 * Errors carry the HTTP status as `status`, as the host's do.
 */
export function customObjectClient(kubeConfig: KubeConfig, plural: string): KubeClient {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const where = (ref: ObjectReference) => {
    const [group = '', version = ''] = ref.apiVersion.split('/');
    return { group, version, plural, namespace: ref.namespace ?? 'default', name: ref.name };
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
  const unsupported = () => Promise.reject(new Error('not used by the claimable pool'));
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
        async () =>
          (await api.patchNamespacedCustomObjectStatus(
            { ...where(ref), body: patch },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )) as T,
      ),
    list: unsupported,
    create: unsupported,
    patch: unsupported,
    delete: unsupported,
  };
}
