import type { HostApi, KindObject } from '@immutable-infra/core';
import {
  capiObjectLookups,
  loadManagementFacts,
  type MachineTemplateRecord,
  type ManagementFacts,
  machineTemplateRecord,
  type ObjectLookup,
} from '@immutable-infra/ui-kit';
import type { BaremetalClusterObject } from '../../api/baremetal-cluster.js';
import type { BaremetalMachineTemplate } from '../../api/baremetal-machine-template.js';
import type { MachineInventoryPoolObject } from '../../api/machine-inventory-pool.js';
import { baremetalPath, configMapPath, IMAGE_CATALOG_NAME, KUBERNETES_RELEASE_SELECTOR } from '../catalog.js';
import { type InventoryPoolRecord, toPoolRecord } from '../pools/pool-record.js';
import type { BaremetalClusterDraft } from './draft.js';
import { objectNames } from './names.js';

type TemplateObject = KindObject<(typeof BaremetalMachineTemplate)['versions'][number]>;
type Template = Pick<TemplateObject, 'metadata' | 'spec'>;

/** A BaremetalMachineTemplate as the workflow uses it: its pool is the kit's config pool. */
export type TemplateRecord = MachineTemplateRecord<Template['spec']['template']['spec']>;

/** The component tags a provider release ships for a Kubernetes build (release-data/kubernetes-releases.yaml). */
export interface ReleaseTags {
  kubernetesVersion: string;
  corednsTag: string;
  etcdTag: string;
}

/** Another bare-metal cluster's load balancer, to keep VIPs and vrids apart. */
export interface TakenLoadBalancer {
  cluster: string;
  host: string;
  port: number;
  vrid: number | undefined;
}

export interface BaremetalClusterFacts extends ManagementFacts {
  namespace: string;
  machineTemplates: TemplateRecord[];
  configPools: InventoryPoolRecord[];
  /** The elemental-image-catalog's data (version -> OS image), undefined when the ConfigMap is missing. */
  imageCatalog: Record<string, string> | undefined;
  releases: ReleaseTags[];
  loadBalancers: TakenLoadBalancer[];
}

export function toTemplateRecord(t: Template): TemplateRecord {
  return machineTemplateRecord(t, (machineSpec) => machineSpec.machineInventoryPoolRef?.name);
}

export function toReleaseTags(data: Record<string, string> | undefined): ReleaseTags | undefined {
  if (!data?.kubernetesVersion || !data.corednsTag || !data.etcdTag) return undefined;
  return { kubernetesVersion: data.kubernetesVersion, corednsTag: data.corednsTag, etcdTag: data.etcdTag };
}

export function toTakenLoadBalancer(
  c: Pick<BaremetalClusterObject, 'metadata' | 'spec'>,
): TakenLoadBalancer[] {
  const lb = c.spec?.controlPlaneLoadBalancer;
  const host = lb?.host ?? c.spec?.controlPlaneEndpoint?.host;
  if (!host) return [];
  return [
    {
      cluster: c.metadata.name ?? '',
      host,
      port: lb?.port ?? c.spec?.controlPlaneEndpoint?.port ?? 6443,
      vrid: lb?.type === 'External' ? undefined : lb?.vrid,
    },
  ];
}

/** Reads every fact in parallel: pools, templates, the image catalog, the release tags, the other clusters' VIPs. */
export async function loadFacts(
  api: HostApi,
  namespace: string,
  draft: BaremetalClusterDraft,
): Promise<BaremetalClusterFacts> {
  const names = objectNames(draft);
  const list = async <T>(path: string) =>
    (await api.kubernetes<{ items?: T[] }>({ method: 'GET', path })).items ?? [];
  const lookups: ObjectLookup[] = [
    ...capiObjectLookups(namespace, names),
    [`BaremetalCluster/${names.cluster}`, baremetalPath(namespace, 'baremetalclusters', names.cluster)],
    ...[names.controlPlaneTemplate, ...names.workers.map((w) => w.machineTemplate)].map(
      (name): ObjectLookup => [
        `BaremetalMachineTemplate/${name}`,
        baremetalPath(namespace, 'baremetalmachinetemplates', name),
      ],
    ),
  ];
  const [templates, pools, catalog, releases, clusters, management] = await Promise.all([
    list<Template>(baremetalPath(namespace, 'baremetalmachinetemplates')),
    list<MachineInventoryPoolObject>(baremetalPath(namespace, 'machineinventorypools')),
    api
      .kubernetes<{ data?: Record<string, string> }>({
        method: 'GET',
        path: configMapPath(namespace, IMAGE_CATALOG_NAME),
      })
      .then((cm) => cm.data ?? {})
      .catch(() => undefined),
    list<{ data?: Record<string, string> }>(
      configMapPath(namespace, undefined, KUBERNETES_RELEASE_SELECTOR),
    ).catch(() => []),
    list<BaremetalClusterObject>(baremetalPath(namespace, 'baremetalclusters')),
    loadManagementFacts(api, namespace, lookups),
  ]);
  return {
    namespace,
    machineTemplates: templates.map(toTemplateRecord),
    configPools: pools.map(toPoolRecord),
    imageCatalog: catalog,
    releases: releases.flatMap((cm) => toReleaseTags(cm.data) ?? []),
    loadBalancers: clusters.flatMap(toTakenLoadBalancer),
    ...management,
  };
}
