/// <reference lib="dom" />
import type { ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  mountPlatformResourceForm,
  numberField,
  selectField,
  showErrorAt,
  textField,
} from '@immutable-infra/ui-kit';
import type { VSphereMachineConfigPoolObject } from '../../api/vsphere-machine-config-pool.js';
import { VSPHERE_API, VSPHERE_CLASS, vspherePath } from '../catalog.js';
import { credentialChoices, vcenterOf } from '../machine-templates/template-choices.js';
import {
  diskLifecycle,
  emptySlot,
  type PoolDraft,
  poolDraftOf,
  poolSpecOf,
  validatePool,
} from './pool-rules.js';
import { lifecycleKey, slotCards } from './slot-cards.js';

type StoredPool = Pick<VSphereMachineConfigPoolObject, 'metadata' | 'spec' | 'status'>;

/**
 * The VSphereMachineConfigPool form: the pool's Cluster and datacenter, and
 * its slots (hostname, first NIC, further NICs and persistent disks each,
 * with each stored disk's lifecycle state from the status). A credential,
 * used only to fill the datacenter and network dropdowns from vCenter, is not
 * stored: the controllers use the Cluster's own. Fields the form does not
 * show (a NIC's IPv6 address, a disk's written UUID) are kept as stored.
 */
export const configPoolForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    const clusterName = textField('Cluster', 'clusterName', '', {
      hint: 'The Cluster whose VSphereCluster gives the vCenter and its credential',
    });
    const datacenter = selectField('Datacenter', 'datacenter', [], '', { placeholder: '(the machine’s)' });
    const releaseDelayHours = numberField('Release delay (hours)', 'releaseDelayHours', Number.NaN, {
      hint: 'How long a released slot waits for its former machine; empty: 24',
    });
    const slots = slotCards([emptySlot()]);

    const { root, unmount, credential } = mountPlatformResourceForm<StoredPool, PoolDraft, never>(
      element,
      props,
      {
        id: 'vsphere.config-pool.form',
        className: VSPHERE_CLASS,
        noun: 'vSphere config pool',
        apiVersion: VSPHERE_API.replace('/apis/', ''),
        kind: 'VSphereMachineConfigPool',
        kindWithArticle: 'a VSphereMachineConfigPool',
        collectionPath: vspherePath(props.namespace, 'vspheremachineconfigpools'),
        credential: {
          label: 'Credential (for the lists)',
          hint: 'Offers this vCenter’s datacenters and networks; the pool uses its Cluster’s credential',
          choices: () => credentialChoices(props.api, props.namespace),
        },
        rows: [clusterName.row, datacenter.row, releaseDelayHours.row, ...slots.rows],
        read: (name) => ({
          name,
          clusterName: clusterName.input.value.trim(),
          datacenter: datacenter.select.value,
          releaseDelayHours: releaseDelayHours.read(),
          slots: slots.read(),
        }),
        problems: validatePool,
        spec: (draft, stored) => poolSpecOf(draft, stored?.spec),
        show(found) {
          if (!found) return;
          const draft = poolDraftOf(found.metadata.name ?? '', found.spec);
          clusterName.input.value = draft.clusterName;
          datacenter.fill([], draft.datacenter);
          releaseDelayHours.input.value = Number.isNaN(draft.releaseDelayHours)
            ? ''
            : String(draft.releaseDelayHours);
          const statuses = new Map((found.status?.configStatuses ?? []).map((slot) => [slot.hostname, slot]));
          const lifecycles = new Map(
            found.spec.configs.flatMap((slot) =>
              (slot.persistentDisks ?? []).map(
                (disk) =>
                  [
                    lifecycleKey(slot.hostname, disk.name),
                    diskLifecycle(disk, statuses.get(slot.hostname)),
                  ] as const,
              ),
            ),
          );
          slots.show(draft.slots, lifecycles);
        },
      },
    );

    const vcenter = () => vcenterOf(props.api, props.namespace, credential.select.value);
    const listNetworks = async () => {
      if (!credential.select.value || !datacenter.select.value) return slots.offer([]);
      try {
        slots.offer((await vcenter().inventory(datacenter.select.value)).networks);
      } catch (error) {
        showErrorAt(root, 'datacenter', error);
      }
    };
    credential.select.addEventListener('change', () => {
      if (!credential.select.value) return;
      vcenter()
        .datacenters()
        .then((choices) => datacenter.fill(choices, datacenter.select.value))
        .then(listNetworks)
        .catch((error: unknown) => showErrorAt(root, 'credential', error));
    });
    datacenter.select.addEventListener('change', () => void listNetworks());
    return unmount;
  },
} satisfies StrictAnchorExport<'ip-pool.form'>;
