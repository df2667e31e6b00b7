/** Labels and names the DCS extension reads and writes. */

/** Label of the version ConfigMaps that map a DCS VM template to its Kubernetes release (product docs). */
export const VM_TEMPLATE_LABEL = 'cpaas.io/dcs-vm-template';

/**
 * The machine template's type (control plane or worker), which the kind itself
 * does not carry. Templates without it are typed by their disks: only a
 * control plane template has the mandatory /var/lib/etcd disk.
 */
export const MACHINE_TYPE_LABEL = 'infrastructure.cluster.x-k8s.io/dcs-machine-type';
export type MachineType = 'control-plane' | 'worker';

/** Set on a machine template made by editing another one that machines were using. */
export const REVISION_OF_ANNOTATION = 'infrastructure.cluster.x-k8s.io/dcs-revision-of';

export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
export const DISPLAY_NAME_ANNOTATION = 'cpaas.io/display-name';
/** Who created an object, as the platform records it (shown when present). */
export const CREATOR_ANNOTATION = 'cpaas.io/creator';

/** Secret shipped by the DCS plugin with the kubelet, PSA and audit files per Kubernetes minor. */
export function kubernetesFilesSecret(kubernetesVersion: string): string {
  const minor = /^v?(\d+\.\d+)/.exec(kubernetesVersion)?.[1] ?? kubernetesVersion;
  return `dcs-kubernetes-${minor}-files`;
}

/** Whether a Secret name is one of those {@link kubernetesFilesSecret} names, of any minor. */
export function isKubernetesFilesSecret(name: string): boolean {
  return /^dcs-kubernetes-\d+\.\d+-files$/.test(name);
}
