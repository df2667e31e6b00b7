/// <reference lib="dom" />
import type { ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  button,
  describeError,
  extensionRoot,
  formSummary,
  h,
  numberField,
  selectField,
  showProblems,
  textField,
  writeFailureProblem,
} from '@immutable-infra/ui-kit';
import type { VSphereMachineConfigPoolObject } from '../../api/vsphere-machine-config-pool.js';
import { VSPHERE_API, VSPHERE_CLASS, vspherePath } from '../catalog.js';
import { credentialChoices, vcenterOf } from '../machine-templates/template-choices.js';
import { emptySlot, type PoolDraft, poolDraftOf, poolSpecOf, validatePool } from './pool-rules.js';
import { slotCards } from './slot-cards.js';

type StoredPool = Pick<VSphereMachineConfigPoolObject, 'metadata' | 'spec'>;

/**
 * The VSphereMachineConfigPool form: the pool's Cluster and datacenter, and
 * its slots (hostname and first NIC each). A credential, used only to fill
 * the datacenter and network dropdowns from vCenter, is not stored: the
 * controllers use the Cluster's own. Slot fields the form does not show
 * (persistent disks, further NICs) are kept as stored.
 */
export const configPoolForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    const { root, unmount } = extensionRoot(element, 'vsphere.config-pool.form', {
      className: VSPHERE_CLASS,
    });
    const creating = props.name === undefined;
    let stored: StoredPool | undefined;

    const credential = selectField('Credential (for the lists)', 'credential', [], '', {
      hint: 'Offers this vCenter’s datacenters and networks; the pool uses its Cluster’s credential',
    });
    const name = textField('Name', 'name', props.name ?? '', { readOnly: !creating });
    const clusterName = textField('Cluster', 'clusterName', '', {
      hint: 'The Cluster whose VSphereCluster gives the vCenter and its credential',
    });
    const datacenter = selectField('Datacenter', 'datacenter', [], '', { placeholder: '(the machine’s)' });
    const releaseDelayHours = numberField('Release delay (hours)', 'releaseDelayHours', Number.NaN, {
      hint: 'How long a released slot waits for its former machine; empty: 24',
    });
    const slots = slotCards([emptySlot()]);

    const vcenter = () => vcenterOf(props.api, props.namespace, credential.select.value);
    const listNetworks = async () => {
      if (!credential.select.value || !datacenter.select.value) return slots.offer([]);
      try {
        slots.offer((await vcenter().inventory(datacenter.select.value)).networks);
      } catch (error) {
        showProblems(root, [{ field: 'datacenter', message: describeError(error) }]);
      }
    };
    credential.select.addEventListener('change', () => {
      if (!credential.select.value) return;
      vcenter()
        .datacenters()
        .then((choices) => datacenter.fill(choices, datacenter.select.value))
        .then(listNetworks)
        .catch((error: unknown) =>
          showProblems(root, [{ field: 'credential', message: describeError(error) }]),
        );
    });
    datacenter.select.addEventListener('change', () => void listNetworks());

    const read = (): PoolDraft => ({
      name: name.input.value.trim(),
      clusterName: clusterName.input.value.trim(),
      datacenter: datacenter.select.value,
      releaseDelayHours: releaseDelayHours.read(),
      slots: slots.read(),
    });

    const save = async () => {
      const draft = read();
      if (showProblems(root, validatePool(draft, creating)) > 0) return;
      const path = vspherePath(props.namespace, 'vspheremachineconfigpools');
      const body = {
        apiVersion: VSPHERE_API.replace('/apis/', ''),
        kind: 'VSphereMachineConfigPool',
        metadata: stored?.metadata ?? { name: draft.name, namespace: props.namespace },
        spec: poolSpecOf(draft, stored?.spec),
      };
      try {
        await (stored
          ? props.api.kubernetes({ method: 'PUT', path: `${path}/${encodeURIComponent(draft.name)}`, body })
          : props.api.kubernetes({ method: 'POST', path, body }));
        props.onSaved(draft.name);
      } catch (error) {
        const taken = `a VSphereMachineConfigPool named ${draft.name} already exists`;
        showProblems(root, [writeFailureProblem(error, creating, taken)]);
      }
    };

    root.append(
      h('h2', { text: creating ? 'Create vSphere config pool' : `Update vSphere config pool ${props.name}` }),
      credential.row,
      name.row,
      clusterName.row,
      datacenter.row,
      releaseDelayHours.row,
      ...slots.rows,
      formSummary(),
      h(
        'div',
        {},
        button(creating ? 'Create' : 'Update', () => void save(), { primary: true, action: 'save' }),
        button('Cancel', () => props.onCancel(), { action: 'cancel' }),
      ),
    );

    const path = props.name
      ? vspherePath(props.namespace, 'vspheremachineconfigpools', props.name)
      : undefined;
    Promise.all([
      credentialChoices(props.api, props.namespace),
      path ? props.api.kubernetes<StoredPool>({ method: 'GET', path }) : undefined,
    ])
      .then(([credentials, found]) => {
        credential.fill(credentials, '');
        if (!found) return;
        stored = found;
        const draft = poolDraftOf(found.metadata.name ?? '', found.spec);
        clusterName.input.value = draft.clusterName;
        datacenter.fill([], draft.datacenter);
        releaseDelayHours.input.value = Number.isNaN(draft.releaseDelayHours)
          ? ''
          : String(draft.releaseDelayHours);
        slots.show(draft.slots);
      })
      .catch((error: unknown) => showProblems(root, [{ field: '(form)', message: describeError(error) }]));
    return unmount;
  },
} satisfies StrictAnchorExport<'ip-pool.form'>;
