/// <reference lib="dom" />
import type { HostApi, NodePoolActionProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  applyUpgrade,
  describeError,
  loadPoolObjects,
  mountPoolUpgrade,
  type PlannedUpgrade,
  platformClient,
  readObjectIfAny,
  selectField,
  templateNameOf,
  textField,
  valueAt,
} from '@immutable-infra/ui-kit';
import { HCS_CLASS, hcsPath } from '../catalog.js';
import type { HcsPlatformOperations } from '../platform-operations.js';
import { listReleases } from '../releases.js';
import {
  HCS_UPGRADE,
  type HcsUpgradeFacts,
  initialValues,
  type UpgradeValues,
  upgradeView,
} from './upgrade-plan.js';

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Reads the kit's pool objects, then what HCS adds: the control plane's
 * machine template, the release ConfigMaps of the namespace, and the IMS
 * images of the project, through the platform operations with the credential
 * the HCSCluster names (`identityRef`).
 */
export async function loadHcsUpgradeFacts(
  api: HostApi,
  namespace: string,
  clusterName: string,
  nodePool: NodePoolActionProps['nodePool'],
): Promise<HcsUpgradeFacts> {
  const templates = hcsPath(namespace, 'hcsmachinetemplates');
  const objects = await loadPoolObjects(api, namespace, clusterName, nodePool, templates);
  const infraName = str(valueAt(objects.cluster?.spec, 'infrastructureRef', 'name'));
  const controlPlaneTemplateName = templateNameOf('KubeadmControlPlane', objects.controlPlane);
  const [infraCluster, controlPlaneTemplate, releases] = await Promise.all([
    infraName ? readObjectIfAny(api, hcsPath(namespace, 'hcsclusters', infraName)) : undefined,
    nodePool.kind === 'KubeadmControlPlane' || !controlPlaneTemplateName
      ? objects.template
      : readObjectIfAny(api, `${templates}/${encodeURIComponent(controlPlaneTemplateName)}`),
    // Releases unreadable (no right to ConfigMaps) leave only image changes at the current version.
    listReleases(api, namespace),
  ]);
  const credential = str(valueAt(infraCluster?.spec, 'identityRef', 'name'));
  let images: HcsUpgradeFacts['images'];
  if (!credential) images = { error: `HCSCluster ${infraName ?? ''} names no credential` };
  else
    try {
      const catalog = await platformClient<HcsPlatformOperations>(api, {
        namespace,
        name: credential,
      }).machineCatalog({});
      images = { items: catalog.images.map((image) => image.name) };
    } catch (error) {
      images = { error: describeError(error) };
    }
  return { ...objects, controlPlaneTemplate, releases, images };
}

/**
 * The documented HCS upgrade of a node pool on the kit's panel: for the
 * control plane the target Kubernetes version (the next release the release
 * ConfigMaps offer, whose CoreDNS and etcd tags go with it) and image; for a
 * worker pool the image (at the control plane's version). The images are the
 * project's in IMS. Confirm creates the new HCSMachineTemplate and points the
 * pool at it in one patch.
 */
export const nodePoolUpgrade = {
  mount(element: unknown, props: NodePoolActionProps): () => void {
    const { kind } = props.nodePool;
    const controlPlane = kind === 'KubeadmControlPlane';
    const version = textField('Kubernetes version', 'kubernetesVersion', '', {
      placeholder: 'v1.35.1',
      hint: 'A newer patch or the next minor, as a release ConfigMap of the namespace ships it',
    });
    const image = selectField('Image', 'imageName', [], '', {
      hint: 'The MicroOS image of the target release, listed from the project (IMS)',
    });
    const values = (): UpgradeValues => ({
      kubernetesVersion: version.input.value.trim(),
      imageName: image.select.value,
    });
    const panel = mountPoolUpgrade<HcsUpgradeFacts, PlannedUpgrade>(element, props, {
      id: 'hcs.node-pool.upgrade',
      className: HCS_CLASS,
      controls: controlPlane ? [version.row, image.row] : [image.row],
      async load() {
        const facts = await loadHcsUpgradeFacts(
          props.api,
          props.namespace,
          props.clusterName,
          props.nodePool,
        );
        const initial = initialValues(kind, facts);
        version.input.value = initial.kubernetesVersion;
        const items = 'items' in facts.images ? facts.images.items : [];
        image.fill(
          items.map((name) => ({ value: name, label: name })),
          items.includes(initial.imageName) ? initial.imageName : '',
        );
        return facts;
      },
      view: (facts) => upgradeView(kind, facts, values(), props.namespace),
      apply: (plan) =>
        applyUpgrade(props.api, props, plan, {
          ...HCS_UPGRADE,
          machineTemplatesPath: hcsPath(props.namespace, 'hcsmachinetemplates'),
        }),
    });
    version.input.addEventListener('input', () => panel.refresh());
    image.select.addEventListener('change', () => panel.refresh());
    return panel.unmount;
  },
} satisfies StrictAnchorExport<'node-pool.action'>;
