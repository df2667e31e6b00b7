/**
 * What each DCS provider release ships per Kubernetes build, as the documentation's DCS wizard and
 * upgrade expect to find it in the provider's namespace:
 * - one version ConfigMap per platform release's VM template (`<release digits>-dcs-vm-template`,
 *   labelled `cpaas.io/dcs-vm-template: <VM template name>`, with the CoreDNS and etcd tags kubeadm
 *   must use and the OS image version);
 * - one `dcs-kubernetes-<minor>-files` Secret per Kubernetes minor with the kubelet patches, the
 *   PodSecurity admission configuration and the audit policy that the KubeadmControlPlane and
 *   KubeadmConfigTemplate reference by `contentFrom.secret`.
 *
 * Build time only: `npm run generate` writes these into release-data/, the Helm chart and the
 * clusterctl components; nothing here runs where the package is installed. Imports are packages
 * only, so Node runs it without a build.
 */
import { type KubernetesRelease, kubernetesReleaseConfigMap } from '@immutable-infra/core';
import { AUDIT_POLICY, kubeletPatch, podSecurityAdmissionConfig } from '@immutable-infra/ui-kit';

/** The namespace the documentation creates clusters in; its workloads are exempt from PodSecurity like kube-system. */
const PLATFORM_NAMESPACE = 'cpaas-system';

/** The documented version ConfigMap of one VM template, e.g. `432-dcs-vm-template` for 4.3.2. */
export function dcsVersionConfigMap(release: KubernetesRelease) {
  return kubernetesReleaseConfigMap('dcs', release, {
    name: `${release.platformRelease.replaceAll('.', '')}-dcs-vm-template`,
    labels: { 'cpaas.io/dcs-vm-template': release.machineImage.name },
    data: { vmImageVersion: release.machineImage.version },
  });
}

/**
 * The `dcs-kubernetes-<minor>-files` Secret: the files are the same for every build of a minor (the
 * kubelet patch changes at 1.35, where imagePullCredentialsVerificationPolicy appears).
 */
export function dcsKubernetesFilesSecret(minor: string) {
  const version = `v${minor}.0`;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `dcs-kubernetes-${minor}-files`,
      labels: { 'immutable-infra.io/kubernetes-files': 'dcs', 'cpaas.io/kubernetes-version': `v${minor}` },
    },
    type: 'Opaque',
    stringData: {
      'psa-config.yaml': `${JSON.stringify(podSecurityAdmissionConfig([PLATFORM_NAMESPACE]), null, 2)}\n`,
      'control-plane-kubelet-patch.json': kubeletPatch(version, false),
      'worker-kubelet-patch.json': kubeletPatch(version, true),
      'audit-policy.yaml': `${JSON.stringify(AUDIT_POLICY, null, 2)}\n`,
    },
  };
}

/** Everything a DCS release ships for the given builds: version ConfigMaps first, then the files Secrets per minor. */
export function dcsReleaseObjects(releases: readonly KubernetesRelease[]) {
  const minors = [...new Set(releases.map((r) => r.kubernetesVersion.replace(/^v(\d+\.\d+).*$/, '$1')))];
  return [...releases.map(dcsVersionConfigMap), ...minors.map(dcsKubernetesFilesSecret)];
}
