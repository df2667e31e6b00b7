/// <reference lib="dom" />
import type { StrictAnchorExport } from '@immutable-infra/core';
import { credentialListExtension } from '@immutable-infra/ui-kit';
import { HCS_CLASS } from '../catalog.js';
import { HCS_CREDENTIAL_KEYS } from './credential-keys.js';

/** The Secret an HCSCluster's identityRef names (always a Secret of its namespace). */
function identitySecret(cluster: { spec?: Record<string, unknown> }): string | undefined {
  return (cluster.spec as { identityRef?: { name?: string } } | undefined)?.identityRef?.name;
}

/** HCS credentials with the HCSClusters whose identityRef names them; one in use is not deleted. */
export const credentialList = credentialListExtension({
  title: 'HCS cloud credentials',
  platform: 'Huawei Cloud Stack',
  empty: 'No HCS cloud credentials yet.',
  extension: 'hcs.credential.list',
  className: HCS_CLASS,
  keys: HCS_CREDENTIAL_KEYS,
  clusterPlural: 'hcsclusters',
  secretOf: identitySecret,
}) satisfies StrictAnchorExport<'credential.list'>;
