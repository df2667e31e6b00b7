/// <reference lib="dom" />
import type { ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountPlatformResourceForm, namedChoices, showErrorAt, showProblems } from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../../api/hcs-machine-config-pool.js';
import { HCS_API_VERSION, HCS_CLASS, hcsPath } from '../catalog.js';
import { credentialChoices, platformOf, subnetChoices } from '../platform-choices.js';
import { entryCards } from './entry-cards.js';
import {
  emptyEntry,
  type KnownSubnet,
  type PoolDraft,
  poolDraftOf,
  poolSpecOf,
  validatePool,
} from './pool-rules.js';

type StoredPool = Pick<HCSMachineConfigPoolObject, 'metadata' | 'spec'>;

/**
 * The HCSMachineConfigPool form: the pool's entries (hostname, NICs with a
 * subnet and static IP, persistent disks). A credential, used only to fill
 * the subnet and disk type dropdowns from HCS, is not stored: the
 * controllers use the HCSCluster's own.
 */
export const configPoolForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    let known: KnownSubnet[] = [];
    const entries = entryCards([emptyEntry()]);
    const { root, unmount, credential } = mountPlatformResourceForm<StoredPool, PoolDraft, never>(
      element,
      props,
      {
        id: 'hcs.config-pool.form',
        className: HCS_CLASS,
        noun: 'HCS config pool',
        apiVersion: HCS_API_VERSION,
        kind: 'HCSMachineConfigPool',
        kindWithArticle: 'an HCSMachineConfigPool',
        collectionPath: hcsPath(props.namespace, 'hcsmachineconfigpools'),
        credential: {
          label: 'Credential (for the lists)',
          hint: 'Offers this project’s subnets and disk types; the pool is used with its cluster’s credential',
          choices: () => credentialChoices(props.api, props.namespace),
        },
        rows: entries.rows,
        read: (name) => ({ name, entries: entries.read() }),
        problems: (draft, creating) => validatePool(draft, creating, known),
        spec: (draft, stored) => poolSpecOf(draft, stored?.spec),
        show(found) {
          if (found) entries.show(poolDraftOf(found.metadata.name ?? '', found.spec).entries);
        },
      },
    );

    credential.select.addEventListener('change', () => {
      const chosen = credential.select.value;
      if (!chosen) return;
      const platform = platformOf(props.api, props.namespace, chosen);
      Promise.all([platform.networks(), platform.machineCatalog()])
        .then(([vpcs, catalog]) => {
          const subnets = subnetChoices(vpcs);
          known = subnets;
          entries.offer({
            subnets,
            volumeTypes: namedChoices(catalog.volumeTypes),
          });
          showProblems(root, []);
        })
        .catch((error: unknown) => showErrorAt(root, 'credential', error));
    });
    return unmount;
  },
} satisfies StrictAnchorExport<'ip-pool.form'>;
