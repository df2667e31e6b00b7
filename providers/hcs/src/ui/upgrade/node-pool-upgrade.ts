/// <reference lib="dom" />
import type { NodePoolActionProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  listWithCredential,
  loadPlatformPoolObjects,
  mountPlatformPoolUpgrade,
  namedChoices,
  platformClient,
} from '@immutable-infra/ui-kit';
import { HCS_CLASS, hcsPath } from '../catalog.js';
import type { HcsPlatformOperations } from '../platform-operations.js';
import { listReleases } from '../releases.js';
import { HCS_UPGRADE, type HcsUpgradeFacts, initialValues, upgradeView } from './upgrade-plan.js';

/**
 * Reads the kit's pool objects and the control plane's machine template,
 * then what HCS adds: the release ConfigMaps of the namespace, and the IMS
 * images of the project, through the platform operations with the credential
 * the HCSCluster names (`identityRef`).
 */
export async function loadHcsUpgradeFacts({
  api,
  namespace,
  clusterName,
  nodePool,
}: Pick<NodePoolActionProps, 'api' | 'namespace' | 'clusterName' | 'nodePool'>): Promise<HcsUpgradeFacts> {
  const [read, releases] = await Promise.all([
    loadPlatformPoolObjects(api, namespace, clusterName, nodePool, {
      machineTemplates: hcsPath(namespace, 'hcsmachinetemplates'),
      infraCluster: (name) => hcsPath(namespace, 'hcsclusters', name),
    }),
    // Releases unreadable (no right to ConfigMaps) leave only image changes at the current version.
    listReleases(api, namespace),
  ]);
  const images = await listWithCredential(read, 'HCSCluster', async (credential) => {
    const catalog = await platformClient<HcsPlatformOperations>(api, {
      namespace,
      name: credential,
    }).machineCatalog({});
    return catalog.images.map((image) => image.name);
  });
  return { ...read.objects, releases, images };
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
    return mountPlatformPoolUpgrade<HcsUpgradeFacts>(element, props, {
      id: 'hcs.node-pool.upgrade',
      className: HCS_CLASS,
      platform: HCS_UPGRADE,
      machineTemplatesPath: hcsPath(props.namespace, 'hcsmachinetemplates'),
      versionHint: 'A newer patch or the next minor, as a release ConfigMap of the namespace ships it',
      image: {
        label: 'Image',
        key: 'imageName',
        hint: 'The MicroOS image of the target release, listed from the project (IMS)',
      },
      async load() {
        const facts = await loadHcsUpgradeFacts(props);
        const initial = initialValues(kind, facts);
        const items = 'items' in facts.images ? facts.images.items : [];
        return {
          facts,
          kubernetesVersion: initial.kubernetesVersion,
          images: namedChoices(items),
          image: items.includes(initial.imageName) ? initial.imageName : '',
        };
      },
      view: (facts, chosen) =>
        upgradeView(
          kind,
          facts,
          { kubernetesVersion: chosen.kubernetesVersion, imageName: chosen.image },
          props.namespace,
        ),
    });
  },
} satisfies StrictAnchorExport<'node-pool.action'>;
