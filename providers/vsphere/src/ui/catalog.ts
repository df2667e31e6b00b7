/** Where the vSphere extension's objects live in the API, and the annotations it reads and writes. */

export const VSPHERE_API = '/apis/infrastructure.cluster.x-k8s.io/v1beta1';

/** The product's display name annotation, shown in lists next to an object's name. */
export const DISPLAY_NAME_ANNOTATION = 'cpaas.io/display-name';
/** Who created an object, as the platform records it (shown when present). */
export const CREATOR_ANNOTATION = 'cpaas.io/creator';

/** The API path of a namespace's objects of a vSphere kind (`plural`), or of one of them. */
export function vspherePath(namespace: string, plural: string, name?: string): string {
  const base = `${VSPHERE_API}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

/** The class on every vSphere extension root, next to the kit's: a hook for the host's styles and for tests. */
export const VSPHERE_CLASS = 'vsphere-ext';
