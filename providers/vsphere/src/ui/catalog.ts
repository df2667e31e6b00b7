/** Where the vSphere extension's objects live in the API, and the annotations it reads and writes. */
import { infrastructurePath } from '@immutable-infra/ui-kit';

export { CREATOR_ANNOTATION, DISPLAY_NAME_ANNOTATION } from '@immutable-infra/ui-kit';

export const VSPHERE_API = '/apis/infrastructure.cluster.x-k8s.io/v1beta1';

/** The API path of a namespace's objects of a vSphere kind (`plural`), or of one of them. */
export const vspherePath = infrastructurePath;

/** The class on every vSphere extension root, next to the kit's: a hook for the host's styles and for tests. */
export const VSPHERE_CLASS = 'vsphere-ext';
