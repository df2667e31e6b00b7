import { createHostApi } from './host-api.ts';

/** The app's own Kubernetes calls go through the same pass-through as an extension's, as the user. */
export const kube = createHostApi('@immutable-infra/fleet-essentials').kubernetes;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const collections = new Map<string, Promise<string>>();

/** The namespaced collection path of a kind in an API group, found through discovery. */
export function collectionOf(apiGroup: string, kind: string, namespace: string): Promise<string> {
  const key = `${apiGroup}/${kind}`;
  let found = collections.get(key);
  if (!found) {
    found = (async () => {
      const group = await kube<{ preferredVersion?: { groupVersion: string } }>({
        method: 'GET',
        path: `/apis/${apiGroup}`,
      });
      const groupVersion = group.preferredVersion?.groupVersion;
      if (!groupVersion) throw new Error(`the API server does not serve ${apiGroup}`);
      const list = await kube<{ resources: { name: string; kind: string }[] }>({
        method: 'GET',
        path: `/apis/${groupVersion}`,
      });
      const resource = list.resources.find((r) => r.kind === kind && !r.name.includes('/'));
      if (!resource) throw new Error(`the API server does not serve ${kind} in ${apiGroup}`);
      return `/apis/${groupVersion}/namespaces/{namespace}/${resource.name}`;
    })();
    collections.set(key, found);
    found.catch(() => collections.delete(key));
  }
  return found.then((path) => path.replace('{namespace}', encodeURIComponent(namespace)));
}

export async function listKind(apiGroup: string, kind: string, namespace: string): Promise<KubeObject[]> {
  const path = await collectionOf(apiGroup, kind, namespace);
  return (await kube<{ items: KubeObject[] }>({ method: 'GET', path })).items;
}
