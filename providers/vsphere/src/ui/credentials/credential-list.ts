/// <reference lib="dom" />
import type { StrictAnchorExport } from '@immutable-infra/core';
import { credentialListExtension } from '@immutable-infra/ui-kit';
import { VSPHERE_CLASS } from '../catalog.js';
import { VSPHERE_CREDENTIAL_KEYS } from './credential-keys.js';

/** The Secret a VSphereCluster's identityRef names directly (an identity's Secret is not in this namespace). */
function identitySecret(cluster: { spec?: Record<string, unknown> }): string | undefined {
  const identity = (cluster.spec as { identityRef?: { kind?: string; name?: string } } | undefined)
    ?.identityRef;
  return identity?.kind === 'Secret' ? identity.name : undefined;
}

/** vCenter credentials with the VSphereClusters whose identityRef names them; one in use is not deleted. */
export const credentialList = credentialListExtension({
  title: 'vCenter credentials',
  platform: 'VMware vSphere',
  empty: 'No vCenter credentials yet.',
  extension: 'vsphere.credential.list',
  className: VSPHERE_CLASS,
  keys: VSPHERE_CREDENTIAL_KEYS,
  clusterPlural: 'vsphereclusters',
  secretOf: identitySecret,
}) satisfies StrictAnchorExport<'credential.list'>;
