import type { HostApi } from '@immutable-infra/core';
import {
  capiObjectLookups,
  loadManagementFacts,
  type ObjectLookup,
  platformClient,
} from '@immutable-infra/ui-kit';
import { kubernetesFilesSecret } from '../catalog/labels.js';
import {
  basePath,
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

/** Reads every fact in parallel; platform facts are optional, so a platform failure becomes a problem, not a throw. */
export async function loadFacts(
  api: HostApi,
  namespace: string,
  draft: DcsClusterDraft,
): Promise<ClusterFacts> {
  const ns = encodeURIComponent(namespace);
  const names = objectNames(draft);
  const lookups: ObjectLookup[] = [
    ...capiObjectLookups(namespace, names),
    [`DCSCluster/${names.cluster}`, `${basePath(namespace, 'dcsclusters')}/${names.cluster}`],
    ...[names.controlPlaneTemplate, ...names.workers.map((w) => w.machineTemplate)].map(
      (name): ObjectLookup => [
        `DCSMachineTemplate/${name}`,
        `${basePath(namespace, 'dcsmachinetemplates')}/${name}`,
      ],
    ),
  ];

  const [credentials, machineTemplates, pools, versions, management, filesSecret, site, templates] =
    await Promise.all([
      listCredentials(api, namespace),
      listMachineTemplates(api, namespace),
      listPools(api, namespace),
      listVersions(api, namespace),
      loadManagementFacts(api, namespace, lookups),
      draft.kubernetesVersion
        ? readObject(
            api,
            `/api/v1/namespaces/${ns}/secrets/${kubernetesFilesSecret(draft.kubernetesVersion)}`,
          ).catch(() => undefined)
        : Promise.resolve(undefined),
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
    ...management,
    filesSecretPresent: filesSecret !== undefined,
    site,
    platformTemplates: templates,
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
