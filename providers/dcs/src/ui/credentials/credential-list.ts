/// <reference lib="dom" />
import type { StrictAnchorExport } from '@immutable-infra/core';
import { credentialListExtension } from '@immutable-infra/ui-kit';
import { DCS_CREDENTIAL_KEYS } from '../catalog/resources.js';

/** DCS credentials with the clusters that use them; a credential in use is not deleted. */
export const credentialList = credentialListExtension({
  extension: 'dcs.credential.list',
  className: 'dcs-ext',
  title: 'DCS cloud credentials',
  platform: 'Huawei DCS',
  empty: 'No DCS credentials yet.',
  keys: DCS_CREDENTIAL_KEYS,
  clusterPlural: 'dcsclusters',
  secretOf: (cluster) =>
    (cluster.spec as { credentialSecretRef?: { name?: string } } | undefined)?.credentialSecretRef?.name,
}) satisfies StrictAnchorExport<'credential.list'>;
