/** Where the bare-metal extension's objects live in the API, and the annotations it reads. */
import { infrastructurePath } from '@immutable-infra/ui-kit';

export { IMAGE_CATALOG_NAME } from '../cloud/image-catalog.js';
export {
  ELEMENTAL_API_VERSION,
  HOST_ANNOTATIONS,
  INVENTORY_ANNOTATIONS,
} from '../cloud/machine-inventory.js';

/** The API path of a namespace's objects of a bare-metal kind (`plural`), or of one of them. */
export const baremetalPath = infrastructurePath;

/** The API path of the namespace's elemental MachineInventories. */
export const machineInventoriesPath = (namespace: string) =>
  `/apis/elemental.cattle.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/machineinventories`;

/** The API path of a namespace's ConfigMap `name`, or of its ConfigMaps with a label selector. */
export const configMapPath = (namespace: string, name?: string, labelSelector?: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps${name ? `/${encodeURIComponent(name)}` : ''}${
    labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : ''
  }`;

/** The label of the provider's per-release ConfigMaps (release-data/kubernetes-releases.yaml). */
export const KUBERNETES_RELEASE_SELECTOR = 'immutable-infra.io/kubernetes-release=baremetal';

/** The class on every bare-metal extension root, next to the kit's: a hook for the host's styles and for tests. */
export const BAREMETAL_CLASS = 'baremetal-ext';
