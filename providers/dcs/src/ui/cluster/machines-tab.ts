/// <reference lib="dom" />
import type { ClusterDetailTabProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  describeError,
  extensionRoot,
  h,
  loadingState,
  platformClient,
  problemLine,
  table,
} from '@immutable-infra/ui-kit';
import { CLUSTER_NAME_LABEL } from '../catalog/labels.js';
import { basePath, type KubeObject, listObjects, readObject } from '../catalog/resources.js';
import type { DcsPlatformOperations, VmPlacementFact } from '../platform-operations.js';

type Json = Record<string, unknown>;

interface DiskStatus {
  ip: string;
  slot: number;
  name?: string;
  path?: string;
  phase?: string;
  attachedVmUrn?: string;
  ownerMachineName?: string;
  lastError?: string;
}

function vmUrnOf(machine: KubeObject): string | undefined {
  const urn = (machine.spec as { vmUrn?: unknown } | undefined)?.vmUrn;
  return typeof urn === 'string' && urn ? urn : undefined;
}

/** The VM's name as the controller gives it: the pool slot's machine name, else the DCSMachine's. */
function vmNameOf(machine: KubeObject): string {
  const slot = (machine.status as { networkConfig?: { machineName?: unknown } } | undefined)?.networkConfig;
  return typeof slot?.machineName === 'string' && slot.machineName ? slot.machineName : machine.metadata.name;
}

/**
 * Each machine of a DCS cluster: its VM (status and host, from the platform),
 * the IP slot it holds, its disks, and the pool's persistent volumes bound to that slot.
 */
export const machinesTab = {
  mount(element: unknown, props: ClusterDetailTabProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.cluster.machines', { className: 'dcs-ext' });
    const body = h('div', {}, loadingState());
    const message = problemLine();
    root.append(h('h2', { text: 'DCS machines' }), message, body);
    let disposed = false;

    void (async () => {
      try {
        const selector = encodeURIComponent(`${CLUSTER_NAME_LABEL}=${props.clusterName}`);
        const [machines, pools, cluster] = await Promise.all([
          listObjects<KubeObject>(
            props.api,
            `${basePath(props.namespace, 'dcsmachines')}?labelSelector=${selector}`,
          ),
          listObjects<KubeObject>(props.api, basePath(props.namespace, 'dcsiphostnamepools')),
          readObject<KubeObject<{ credentialSecretRef?: { name?: string } }>>(
            props.api,
            `${basePath(props.namespace, 'dcsclusters')}/${encodeURIComponent(props.clusterName)}`,
          ),
        ]);
        // The controller records no VM URN (it finds its VM by name), so most VMs are asked for by name.
        const urns = machines.flatMap((m) => {
          const urn = vmUrnOf(m);
          return urn ? [urn] : [];
        });
        const names = machines.flatMap((m) => (vmUrnOf(m) ? [] : [vmNameOf(m)]));
        let placements: { byUrn: VmPlacementFact[]; byName: VmPlacementFact[] } = { byUrn: [], byName: [] };
        const credential = cluster?.spec?.credentialSecretRef?.name;
        if (credential && urns.length + names.length > 0)
          placements = await platformClient<DcsPlatformOperations>(props.api, {
            namespace: props.namespace,
            name: credential,
          })
            .vmPlacements({ vmUrns: urns, vmNames: names })
            .catch((error: unknown) => {
              message.textContent = `VM placement unavailable: ${describeError(error)}`;
              return { byUrn: [], byName: [] };
            });
        if (disposed) return;
        const disksByPool = new Map(
          pools.map((p) => [
            p.metadata.name,
            (p.status as { persistentDiskStatus?: DiskStatus[] } | undefined)?.persistentDiskStatus ?? [],
          ]),
        );
        const rows = machines.map((machine) => {
          const spec = (machine.spec ?? {}) as Json;
          const status = (machine.status ?? {}) as Json;
          const network = (status.networkConfig ?? {}) as {
            ip?: string;
            hostname?: string;
            machineName?: string;
          };
          const poolName = (spec.ipHostPoolRef as { name?: string } | undefined)?.name ?? '';
          // Each list answers in the order asked.
          const vmUrn = vmUrnOf(machine);
          const asked = vmUrn
            ? placements.byUrn[urns.indexOf(vmUrn)]
            : placements.byName[names.indexOf(vmNameOf(machine))];
          const placement = asked && asked.status !== 'missing' ? asked : undefined;
          const disks = (
            (
              spec.vmConfig as
                | { dcsMachineDiskSpec?: { quantity: number; path?: string; systemVolume?: boolean }[] }
                | undefined
            )?.dcsMachineDiskSpec ?? []
          ).map((d) => `${d.systemVolume ? 'system' : (d.path ?? 'raw')}: ${d.quantity || 'template'} GB`);
          const volumes = (disksByPool.get(poolName) ?? [])
            .filter((d) => network.ip && d.ip === network.ip)
            .map((d) =>
              `slot ${d.slot} ${d.path ?? ''} ${d.name ?? ''} ${d.phase ?? ''}${d.lastError ? ` (${d.lastError})` : ''}`
                .replace(/\s+/g, ' ')
                .trim(),
            );
          return [
            h('span', { text: machine.metadata.name, data: { machine: machine.metadata.name } }),
            h(
              'span',
              { data: { vm: machine.metadata.name } },
              `${placement?.name ?? network.machineName ?? '—'}${placement ? ` (${placement.status})` : ''}`,
            ),
            h('span', { text: placement?.host ?? '—', data: { host: machine.metadata.name } }),
            h('span', {
              text: network.ip
                ? `${network.ip} in ${poolName}${network.hostname ? ` (${network.hostname})` : ''}`
                : `— (${poolName})`,
              data: { slot: machine.metadata.name },
            }),
            h('ul', {}, ...disks.map((d) => h('li', { text: d }))),
            h(
              'ul',
              { data: { volumes: machine.metadata.name } },
              ...volumes.map((v) => h('li', { text: v })),
            ),
          ];
        });
        body.replaceChildren(
          table(
            ['Machine', 'VM', 'Host', 'IP slot', 'Disks', 'Persistent volumes'],
            rows,
            'No DCS machines yet.',
          ),
        );
      } catch (error) {
        message.textContent = describeError(error);
      }
    })();
    return () => {
      disposed = true;
      unmount();
    };
  },
} satisfies StrictAnchorExport<'cluster.detail.tab'>;
