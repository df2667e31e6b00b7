/**
 * Where every provider's infrastructure objects live in the API, and the
 * platform annotations the extensions read and write on them.
 */

const INFRASTRUCTURE_API = '/apis/infrastructure.cluster.x-k8s.io/v1beta1';

/** The product's display name annotation, shown in lists next to an object's name. */
export const DISPLAY_NAME_ANNOTATION = 'cpaas.io/display-name';
/** Who created an object, as the platform records it (shown when present). */
export const CREATOR_ANNOTATION = 'cpaas.io/creator';

/** The API path of a namespace's objects of an infrastructure kind (`plural`), or of one of them. */
export function infrastructurePath(namespace: string, plural: string, name?: string): string {
  const base = `${INFRASTRUCTURE_API}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}
