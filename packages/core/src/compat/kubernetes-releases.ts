import { z } from 'zod';
import type { CompatMatrix } from './matrix.js';

/**
 * What a provider release ships for each Kubernetes build it can create: the machine image the
 * platform release publishes for it (a VM template, an OS image) and the component image tags that
 * kubeadm must be told (CoreDNS and etcd are pinned per build, not derived from the version).
 * Installed with the provider (`iinfra provider install`, the Helm chart and the clusterctl
 * artifacts alike) as one ConfigMap per build, labelled so that a wizard, an upgrade page or a
 * script finds it with one selector.
 */
export const KubernetesReleaseSchema = z
  .object({
    platformRelease: z.string().regex(/^\d+\.\d+\.\d+$/, 'a platform release such as "4.3.2"'),
    kubernetesVersion: z
      .string()
      .regex(/^v1\.\d+\.\d+\S*$/, 'a Kubernetes build such as "v1.34.5-3"')
      .describe('The Kubernetes build, as a Machine spec.version'),
    machineImage: z
      .object({
        name: z.string().min(1).describe('What the platform calls the image: a VM template or OS image name'),
        version: z.string().min(1).describe('The OS image version inside it'),
      })
      .strict(),
    corednsTag: z.string().min(1),
    etcdTag: z.string().min(1),
  })
  .strict();
export type KubernetesRelease = z.infer<typeof KubernetesReleaseSchema>;

/** Every shipped release ConfigMap carries this label; its value is the short provider name. */
export const KUBERNETES_RELEASE_LABEL = 'immutable-infra.io/kubernetes-release';
/** The documented labels the platform's own release objects carry. */
export const DISTRIBUTION_VERSION_LABEL = 'cpaas.io/distribution-version';
export const KUBERNETES_MINOR_LABEL = 'cpaas.io/kubernetes-version';

const minorOf = (version: string) => version.replace(/^v?(\d+\.\d+).*$/, '$1');

/**
 * The machine image a platform release publishes for a provider, by the name an operator imports
 * it under (VM template, OS image): the release and the Kubernetes build it carries, so one glance
 * at the platform's image list says which is which. The image's OS version is the release's
 * Alauda OS build.
 */
export function alaudaOsImage(release: {
  platformRelease: string;
  kubernetesVersion: string;
}): KubernetesRelease['machineImage'] {
  return {
    name: `alaudaos-${release.platformRelease}-k8s-${release.kubernetesVersion}`,
    version: `alaudaos-${release.platformRelease}`,
  };
}

/**
 * The releases a provider ships: every platform release of the matrix whose OS image carries a
 * Kubernetes minor the provider supports, with the machine image the provider names for it.
 */
export function kubernetesReleasesFor(
  matrix: Pick<CompatMatrix, 'platformReleases'>,
  kubernetesMinors: readonly string[],
  machineImage: (release: {
    platformRelease: string;
    kubernetesVersion: string;
  }) => KubernetesRelease['machineImage'] = alaudaOsImage,
): KubernetesRelease[] {
  const releases: KubernetesRelease[] = [];
  for (const platform of matrix.platformReleases) {
    const components = platform.components;
    if (!components || !kubernetesMinors.includes(minorOf(components.kubernetes))) continue;
    const base = { platformRelease: platform.version, kubernetesVersion: components.kubernetes };
    releases.push(
      KubernetesReleaseSchema.parse({
        ...base,
        machineImage: machineImage(base),
        corednsTag: components.coredns,
        etcdTag: components.etcd,
      }),
    );
  }
  return releases;
}

export interface KubernetesReleaseConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; labels: Record<string, string> };
  data: Record<string, string>;
}

/**
 * A release as a ConfigMap (no namespace: the installer puts it in the provider's namespace). The
 * data keys are the ones the documented DCS version ConfigMap uses, so one reader serves every
 * provider; a provider adds its documented name, labels and keys through `documented`.
 */
export function kubernetesReleaseConfigMap(
  provider: string,
  release: KubernetesRelease,
  documented: { name?: string; labels?: Record<string, string>; data?: Record<string, string> } = {},
): KubernetesReleaseConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      // By platform release: two releases may carry the same Kubernetes build in different images.
      name: documented.name ?? `${provider}-kubernetes-release-${release.platformRelease}`,
      labels: {
        [KUBERNETES_RELEASE_LABEL]: provider,
        [DISTRIBUTION_VERSION_LABEL]: `v${release.platformRelease}`,
        [KUBERNETES_MINOR_LABEL]: `v${minorOf(release.kubernetesVersion)}`,
        ...documented.labels,
      },
    },
    data: {
      kubernetesVersion: release.kubernetesVersion,
      corednsTag: release.corednsTag,
      etcdTag: release.etcdTag,
      machineImage: release.machineImage.name,
      machineImageVersion: release.machineImage.version,
      ...documented.data,
    },
  };
}

/** The component tags a release ConfigMap gives for a Kubernetes build, or undefined when it is not one. */
export function releaseTagsOf(configMap: {
  metadata?: { labels?: Record<string, string> };
  data?: Record<string, string>;
}): { provider: string; kubernetesVersion: string; corednsTag: string; etcdTag: string } | undefined {
  const provider = configMap.metadata?.labels?.[KUBERNETES_RELEASE_LABEL];
  const data = configMap.data ?? {};
  if (!provider || !data.kubernetesVersion || !data.corednsTag || !data.etcdTag) return undefined;
  return {
    provider,
    kubernetesVersion: data.kubernetesVersion,
    corednsTag: data.corednsTag,
    etcdTag: data.etcdTag,
  };
}
