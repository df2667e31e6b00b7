/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountCredentialList } from '@immutable-infra/ui-kit';
import { CREATOR_ANNOTATION, DISPLAY_NAME_ANNOTATION, VSPHERE_CLASS, vspherePath } from '../catalog.js';
import { VSPHERE_CREDENTIAL_KEYS } from './credential-keys.js';

const words = {
  title: 'vCenter credentials',
  platform: 'VMware vSphere',
  empty: 'No vCenter credentials yet.',
};

/** The Secret a VSphereCluster's identityRef names directly (an identity's Secret is not in this namespace). */
function identitySecret(cluster: { spec?: Record<string, unknown> }): string | undefined {
  const identity = (cluster.spec as { identityRef?: { kind?: string; name?: string } } | undefined)
    ?.identityRef;
  return identity?.kind === 'Secret' ? identity.name : undefined;
}

/** vCenter credentials with the VSphereClusters whose identityRef names them; one in use is not deleted. */
export const credentialList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountCredentialList(element, props, {
      ...words,
      extension: 'vsphere.credential.list',
      className: VSPHERE_CLASS,
      keys: VSPHERE_CREDENTIAL_KEYS,
      annotations: { displayName: DISPLAY_NAME_ANNOTATION, creator: CREATOR_ANNOTATION },
      clustersPath: vspherePath(props.namespace, 'vsphereclusters'),
      secretOf: identitySecret,
    });
  },
} satisfies StrictAnchorExport<'credential.list'>;
