/**
 * The Kubernetes releases this provider ships as ConfigMaps
 * (release-data/kubernetes-releases.yaml, labelled
 * `immutable-infra.io/kubernetes-release: hcs`): each gives a Kubernetes
 * build with the CoreDNS and etcd image tags made for it and its MicroOS
 * image. The create workflow sets the tags of the version it creates; the
 * upgrade offers the next release with its tags and image.
 */

import type { HostApi } from '@immutable-infra/core';
import { KUBERNETES_RELEASE_LABEL, releaseTagsOf } from '@immutable-infra/core';

/** The label value of the release ConfigMaps this provider ships. */
export const HCS_RELEASE_PROVIDER = 'hcs';
/** The label selector that lists them. */
export const HCS_RELEASE_SELECTOR = `${KUBERNETES_RELEASE_LABEL}=${HCS_RELEASE_PROVIDER}`;

/** A release as a release ConfigMap gives it. */
export interface HcsRelease {
  configMap: string;
  kubernetesVersion: string;
  corednsTag: string;
  etcdTag: string;
  /** The MicroOS image of the release (`machineImage`), the documented `imageName`. */
  machineImage: string;
  /** The Cluster's Kube-OVN version, when the ConfigMap gives one (`kubeOvnVersion`). */
  kubeOvnVersion?: string | undefined;
}

type ConfigMap = {
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
};

/** The HCS releases among ConfigMaps (others and incomplete ones are skipped). */
export function releasesOf(configMaps: readonly ConfigMap[]): HcsRelease[] {
  return configMaps.flatMap((configMap) => {
    const tags = releaseTagsOf(configMap);
    if (!tags || tags.provider !== HCS_RELEASE_PROVIDER) return [];
    return [
      {
        configMap: configMap.metadata?.name ?? '',
        kubernetesVersion: tags.kubernetesVersion,
        corednsTag: tags.corednsTag,
        etcdTag: tags.etcdTag,
        machineImage: configMap.data?.machineImage ?? '',
        kubeOvnVersion: configMap.data?.kubeOvnVersion,
      },
    ];
  });
}

/**
 * The namespace's HCS releases, as the user reads them; none when the user
 * may not list ConfigMaps (the tags are then left to kubeadm, and said so).
 */
export async function listReleases(api: HostApi, namespace: string): Promise<HcsRelease[]> {
  const listed = await api
    .kubernetes<{ items?: ConfigMap[] }>({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps?labelSelector=${encodeURIComponent(HCS_RELEASE_SELECTOR)}`,
    })
    .catch(() => ({ items: [] as ConfigMap[] }));
  return releasesOf(listed.items ?? []);
}

/** The release of a Kubernetes build, if a release ConfigMap ships it. */
export function releaseOf(releases: readonly HcsRelease[], version: string): HcsRelease | undefined {
  return releases.find((release) => release.kubernetesVersion === version);
}
