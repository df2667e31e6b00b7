/// <reference lib="dom" />
import type { NodePoolActionProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  listWithCredential,
  loadPlatformPoolObjects,
  mountPlatformPoolUpgrade,
  platformClient,
  readObjectIfAny,
  textField,
  valueAt,
} from '@immutable-infra/ui-kit';
import type { VSphereMachineConfigPoolObject } from '../../api/vsphere-machine-config-pool.js';
import { VSPHERE_CLASS, vspherePath } from '../catalog.js';
import { toConfigPoolRecord } from '../cluster-create/facts.js';
import type { VspherePlatformOperations } from '../platform-operations.js';
import {
  datacenterOf,
  initialValues,
  templateChoices,
  upgradeView,
  VSPHERE_UPGRADE,
  type VsphereUpgradeFacts,
} from './upgrade-plan.js';

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Reads the kit's pool objects and the control plane's machine template,
 * then what vSphere adds: the config pool the pool's template draws from, and
 * the VM templates of its datacenter from vCenter, through the platform
 * operations with the credential the VSphereCluster names (`identityRef`).
 */
export async function loadVsphereUpgradeFacts({
  api,
  namespace,
  clusterName,
  nodePool,
}: Pick<
  NodePoolActionProps,
  'api' | 'namespace' | 'clusterName' | 'nodePool'
>): Promise<VsphereUpgradeFacts> {
  const read = await loadPlatformPoolObjects(api, namespace, clusterName, nodePool, {
    machineTemplates: vspherePath(namespace, 'vspheremachinetemplates'),
    infraCluster: (name) => vspherePath(namespace, 'vsphereclusters', name),
  });
  const { objects } = read;
  const poolName = str(valueAt(objects.template?.spec, 'template', 'spec', 'machineConfigPoolRef', 'name'));
  const configPool = poolName
    ? await readObjectIfAny<VSphereMachineConfigPoolObject>(
        api,
        vspherePath(namespace, 'vspheremachineconfigpools', poolName),
      )
    : undefined;
  const datacenter = datacenterOf(objects.template);
  const vmTemplates: VsphereUpgradeFacts['vmTemplates'] =
    read.credential && !datacenter
      ? { error: 'the machine template names no datacenter' }
      : await listWithCredential(read, 'VSphereCluster', async (credential) => {
          const client = platformClient<VspherePlatformOperations>(api, { namespace, name: credential });
          return (await client.datacenterInventory({ datacenter })).templates;
        });
  return { ...objects, configPool: configPool ? toConfigPoolRecord(configPool) : undefined, vmTemplates };
}

/**
 * The documented vSphere upgrade of a node pool on the kit's panel: for the
 * control plane the target Kubernetes version, VM template (listed by
 * vCenter), CoreDNS and etcd tags and Kube-OVN version; for a worker pool the
 * VM template (at the control plane's version). Confirm creates the new
 * VSphereMachineTemplate and points the pool at it in one patch.
 */
export const nodePoolUpgrade = {
  mount(element: unknown, props: NodePoolActionProps): () => void {
    const { kind } = props.nodePool;
    const coredns = textField('CoreDNS image tag', 'corednsTag', '', {
      hint: 'From the release’s row of the OS Support Matrix; empty for kubeadm’s default',
    });
    const etcd = textField('etcd image tag', 'etcdTag', '', {
      hint: 'From the release’s row of the OS Support Matrix; empty for kubeadm’s default',
    });
    const kubeOvn = textField('Kube-OVN version', 'kubeOvnVersion', '', {
      hint: 'The Cluster’s cpaas.io/kube-ovn-version, from the same row',
    });
    return mountPlatformPoolUpgrade<VsphereUpgradeFacts>(element, props, {
      id: 'vsphere.node-pool.upgrade',
      className: VSPHERE_CLASS,
      platform: VSPHERE_UPGRADE,
      machineTemplatesPath: vspherePath(props.namespace, 'vspheremachinetemplates'),
      versionHint: 'The release the VM template carries: a newer patch, or the next minor',
      image: {
        label: 'VM template',
        key: 'template',
        hint: 'Listed by vCenter in the machine template’s datacenter',
      },
      more: [coredns, etcd, kubeOvn],
      async load() {
        const facts = await loadVsphereUpgradeFacts(props);
        const initial = initialValues(kind, facts);
        coredns.input.value = initial.corednsTag;
        etcd.input.value = initial.etcdTag;
        kubeOvn.input.value = initial.kubeOvnVersion;
        const items = 'items' in facts.vmTemplates ? facts.vmTemplates.items : [];
        return {
          facts,
          kubernetesVersion: initial.kubernetesVersion,
          images: templateChoices(items, initial.template),
          image: initial.template,
        };
      },
      view: (facts, chosen) =>
        upgradeView(kind, facts, {
          kubernetesVersion: chosen.kubernetesVersion,
          template: chosen.image,
          corednsTag: coredns.input.value.trim(),
          etcdTag: etcd.input.value.trim(),
          kubeOvnVersion: kubeOvn.input.value.trim(),
        }),
    });
  },
} satisfies StrictAnchorExport<'node-pool.action'>;
