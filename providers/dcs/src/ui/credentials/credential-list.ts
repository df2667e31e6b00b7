/// <reference lib="dom" />
import type { ResourceListProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountCredentialList } from '@immutable-infra/ui-kit';
import { CREATOR_ANNOTATION, DISPLAY_NAME_ANNOTATION } from '../catalog/labels.js';
import { basePath, DCS_CREDENTIAL_KEYS } from '../catalog/resources.js';

/** DCS credentials with the clusters that use them; a credential in use is not deleted. */
export const credentialList = {
  mount(element: unknown, props: ResourceListProps): () => void {
    return mountCredentialList(element, props, {
      extension: 'dcs.credential.list',
      className: 'dcs-ext',
      title: 'DCS cloud credentials',
      platform: 'Huawei DCS',
      empty: 'No DCS credentials yet.',
      keys: DCS_CREDENTIAL_KEYS,
      annotations: { displayName: DISPLAY_NAME_ANNOTATION, creator: CREATOR_ANNOTATION },
      clustersPath: basePath(props.namespace, 'dcsclusters'),
      secretOf: (cluster) =>
        (cluster.spec as { credentialSecretRef?: { name?: string } } | undefined)?.credentialSecretRef?.name,
    });
  },
} satisfies StrictAnchorExport<'credential.list'>;
