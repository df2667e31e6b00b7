/** Where the HCS extension's objects live in the API, and the annotations it reads and writes. */

export const HCS_API = '/apis/infrastructure.cluster.x-k8s.io/v1beta1';
/** The apiVersion of the HCS kinds, as a manifest writes it. */
export const HCS_API_VERSION = 'infrastructure.cluster.x-k8s.io/v1beta1';

/** The product's display name annotation, shown in lists next to an object's name. */
export const DISPLAY_NAME_ANNOTATION = 'cpaas.io/display-name';
/** Who created an object, as the platform records it (shown when present). */
export const CREATOR_ANNOTATION = 'cpaas.io/creator';

/** The API path of a namespace's objects of an HCS kind (`plural`), or of one of them. */
export function hcsPath(namespace: string, plural: string, name?: string): string {
  const base = `${HCS_API}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

/** The class on every HCS extension root, next to the kit's: a hook for the host's styles and for tests. */
export const HCS_CLASS = 'hcs-ext';
