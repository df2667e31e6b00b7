/// <reference lib="dom" />
import type { HostApi, NodePoolActionProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  applyUpgrade,
  loadPoolObjects,
  mountPoolUpgrade,
  type PlannedUpgrade,
  poolStatusOf,
  selectField,
  textField,
} from '@immutable-infra/ui-kit';
import {
  BAREMETAL_CLASS,
  baremetalPath,
  configMapPath,
  IMAGE_CATALOG_NAME,
  KUBERNETES_RELEASE_SELECTOR,
} from '../catalog.js';
import { toReleaseTags } from '../cluster-create/facts.js';
import {
  BAREMETAL_REVISION_OF,
  type BaremetalUpgradeFacts,
  kubeOvnVersionOf,
  upgradeChoices,
  upgradeView,
} from './upgrade-plan.js';

/** Reads the kit's pool objects, the image catalog and the release tags of the namespace. */
export async function loadBaremetalUpgradeFacts(
  api: HostApi,
  namespace: string,
  clusterName: string,
  nodePool: NodePoolActionProps['nodePool'],
): Promise<BaremetalUpgradeFacts> {
  const [objects, catalog, releases] = await Promise.all([
    loadPoolObjects(
      api,
      namespace,
      clusterName,
      nodePool,
      baremetalPath(namespace, 'baremetalmachinetemplates'),
    ),
    api
      .kubernetes<{ data?: Record<string, string> }>({
        method: 'GET',
        path: configMapPath(namespace, IMAGE_CATALOG_NAME),
      })
      .then((cm) => cm.data ?? {})
      .catch(() => undefined),
    api
      .kubernetes<{ items?: { data?: Record<string, string> }[] }>({
        method: 'GET',
        path: configMapPath(namespace, undefined, KUBERNETES_RELEASE_SELECTOR),
      })
      .then((list) => (list.items ?? []).flatMap((cm) => toReleaseTags(cm.data) ?? []))
      .catch(() => []),
  ]);
  return { ...objects, imageCatalog: catalog, releases };
}

/**
 * The documented bare-metal upgrade of a node pool on the kit's panel: for
 * the control plane a version of the image catalog (and the Cluster's
 * Kube-OVN version), for a worker pool its control plane's. Confirm patches
 * the pool once; the machine templates stay (they only name the pool).
 */
export const nodePoolUpgrade = {
  mount(element: unknown, props: NodePoolActionProps): () => void {
    const { kind } = props.nodePool;
    const controlPlane = kind === 'KubeadmControlPlane';
    const version = selectField('Kubernetes version', 'kubernetesVersion', [], '', {
      hint: 'A version of elemental-image-catalog: the OS image every node is reprovisioned with',
    });
    const kubeOvn = textField('Kube-OVN version', 'kubeOvnVersion', '', {
      hint: 'The Cluster’s cpaas.io/kube-ovn-version from the target release’s row of the OS Support Matrix',
    });
    const panel = mountPoolUpgrade<BaremetalUpgradeFacts, PlannedUpgrade>(element, props, {
      id: 'baremetal.node-pool.upgrade',
      className: BAREMETAL_CLASS,
      controls: controlPlane ? [version.row, kubeOvn.row] : [],
      async load() {
        const facts = await loadBaremetalUpgradeFacts(
          props.api,
          props.namespace,
          props.clusterName,
          props.nodePool,
        );
        const current = poolStatusOf('KubeadmControlPlane', facts.controlPlane).version;
        const choices = upgradeChoices(current, facts.imageCatalog);
        version.fill(
          choices.map((v) => ({ value: v, label: `${v} — ${facts.imageCatalog?.[v]?.trim() ?? ''}` })),
          choices[0] ?? '',
        );
        kubeOvn.input.value = kubeOvnVersionOf(facts);
        return facts;
      },
      view: (facts) =>
        upgradeView(kind, facts, {
          kubernetesVersion: version.select.value,
          kubeOvnVersion: kubeOvn.input.value,
        }),
      apply: (plan) =>
        applyUpgrade(props.api, props, plan, {
          machineTemplateKind: 'BaremetalMachineTemplate',
          imageField: 'machineInventoryPoolRef',
          revisionAnnotation: BAREMETAL_REVISION_OF,
          machineTemplatesPath: baremetalPath(props.namespace, 'baremetalmachinetemplates'),
        }),
    });
    version.select.addEventListener('change', () => panel.refresh());
    kubeOvn.input.addEventListener('input', () => panel.refresh());
    return panel.unmount;
  },
} satisfies StrictAnchorExport<'node-pool.action'>;
