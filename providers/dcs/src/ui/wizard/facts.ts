import type { HostApi } from '@immutable-infra/core';
import { platformClient } from '@immutable-infra/ui-kit';
import { kubernetesFilesSecret } from '../catalog/labels.js';
import {
  basePath,
  type KubeObject,
  listCredentials,
  listMachineTemplates,
  listPools,
  listVersions,
  type MachineTemplateRecord,
  type PoolRecord,
  readObject,
  type VersionRecord,
} from '../catalog/resources.js';
import type { DcsPlatformOperations } from '../platform-operations.js';
import { type DcsClusterDraft, objectNames } from './draft.js';

/** What validation, manifests and warnings know about the management cluster and the platform. */
export interface ClusterFacts {
  namespace: string;
  /** Credential Secrets by name, with the keys they have (values are never readable). */
  credentials: Record<string, string[]>;
  machineTemplates: MachineTemplateRecord[];
  pools: PoolRecord[];
  versions: VersionRecord[];
  /** `Kind/name` of objects the wizard would create that already exist. */
  existing: string[];
  /** Annotations of the `global` Cluster (kube-ovn version, registry address), when it can be read. */
  globalCluster: Record<string, string> | undefined;
  /** Whether the DCS plugin's kubelet/PSA/audit files Secret exists for the cluster's Kubernetes minor. */
  filesSecretPresent: boolean;
  /**
   * The credential's site: named by the Secret (its value is not readable, and the
   * controller takes it from there), the VRM's only site, or why none was found.
   */
  site: { source: 'credential' } | { source: 'only-site'; id: string } | { error: string } | undefined;
  /** VM template names the platform has, when the credential could list them. */
  platformTemplates: string[] | undefined;
  /** The CAPI API version the management cluster prefers (v1beta2 from CAPI 1.11 on). */
  capiVersion: 'v1beta1' | 'v1beta2';
}

const CAPI = '/apis/cluster.x-k8s.io';

/** Reads every fact in parallel; platform facts are optional, so a platform failure becomes a problem, not a throw. */
export async function loadFacts(
  api: HostApi,
  namespace: string,
  draft: DcsClusterDraft,
): Promise<ClusterFacts> {
  const ns = encodeURIComponent(namespace);
  const names = objectNames(draft);
  const candidates: [string, string][] = [
    [`Cluster/${names.cluster}`, `${CAPI}/v1beta2/namespaces/${ns}/clusters/${names.cluster}`],
    [`DCSCluster/${names.cluster}`, `${basePath(namespace, 'dcsclusters')}/${names.cluster}`],
    [
      `KubeadmControlPlane/${names.controlPlane}`,
      `/apis/controlplane.cluster.x-k8s.io/v1beta2/namespaces/${ns}/kubeadmcontrolplanes/${names.controlPlane}`,
    ],
    [
      `DCSMachineTemplate/${names.controlPlaneTemplate}`,
      `${basePath(namespace, 'dcsmachinetemplates')}/${names.controlPlaneTemplate}`,
    ],
    ...names.workers.flatMap((w): [string, string][] => [
      [
        `MachineDeployment/${w.machineDeployment}`,
        `${CAPI}/v1beta2/namespaces/${ns}/machinedeployments/${w.machineDeployment}`,
      ],
      [
        `DCSMachineTemplate/${w.machineTemplate}`,
        `${basePath(namespace, 'dcsmachinetemplates')}/${w.machineTemplate}`,
      ],
      [
        `KubeadmConfigTemplate/${w.bootstrapTemplate}`,
        `/apis/bootstrap.cluster.x-k8s.io/v1beta2/namespaces/${ns}/kubeadmconfigtemplates/${w.bootstrapTemplate}`,
      ],
    ]),
  ];
  // Names not yet typed make no lookups.
  const lookups = candidates.filter(([key]) => !key.endsWith('/') && !key.includes('/-'));

  const [
    credentials,
    machineTemplates,
    pools,
    versions,
    existing,
    globalCluster,
    filesSecret,
    group,
    site,
    templates,
  ] = await Promise.all([
    listCredentials(api, namespace),
    listMachineTemplates(api, namespace),
    listPools(api, namespace),
    listVersions(api, namespace),
    Promise.all(
      lookups.map(async ([key, path]) => ((await readObject(api, path).catch(() => undefined)) ? key : '')),
    ),
    readObject<KubeObject>(api, `${CAPI}/v1beta2/namespaces/${ns}/clusters/global`).catch(() => undefined),
    draft.kubernetesVersion
      ? readObject(
          api,
          `/api/v1/namespaces/${ns}/secrets/${kubernetesFilesSecret(draft.kubernetesVersion)}`,
        ).catch(() => undefined)
      : Promise.resolve(undefined),
    api
      .kubernetes<{ preferredVersion?: { version?: string } }>({ method: 'GET', path: CAPI })
      .catch(() => undefined),
    draft.credential ? platformSite(api, namespace, draft.credential) : Promise.resolve(undefined),
    draft.credential
      ? platformClient<DcsPlatformOperations>(api, { namespace, name: draft.credential })
          .listVmTemplates()
          .then((list) => list.map((t) => t.name))
          .catch(() => undefined)
      : Promise.resolve(undefined),
  ]);

  return {
    namespace,
    credentials: Object.fromEntries(credentials.map((s) => [s.metadata.name, Object.keys(s.data ?? {})])),
    machineTemplates,
    pools,
    versions,
    existing: existing.filter(Boolean),
    globalCluster: globalCluster ? (globalCluster.metadata.annotations ?? {}) : undefined,
    filesSecretPresent: filesSecret !== undefined,
    site,
    platformTemplates: templates,
    capiVersion: group?.preferredVersion?.version === 'v1beta1' ? 'v1beta1' : 'v1beta2',
  };
}

async function platformSite(api: HostApi, namespace: string, credential: string) {
  try {
    return await platformClient<DcsPlatformOperations>(api, { namespace, name: credential }).credentialSite();
  } catch (error) {
    const message = (error as { message?: unknown }).message;
    return { error: typeof message === 'string' ? message : String(error) };
  }
}
