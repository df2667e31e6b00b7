/// <reference lib="dom" />
import type { ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  mountPlatformResourceForm,
  numberField,
  selectField,
  showErrorAt,
  textField,
} from '@immutable-infra/ui-kit';
import { VSPHERE_API, VSPHERE_CLASS, vspherePath } from '../catalog.js';
import { nicDevices } from './nic-devices.js';
import { credentialChoices, type InventoryChoices, noInventory, vcenterOf } from './template-choices.js';
import {
  draftOf,
  emptyDraft,
  type MachineTemplateDraft,
  machineSpecOf,
  validateMachineTemplate,
} from './template-rules.js';

const CLONE_MODES = [
  { value: 'fullClone', label: 'Full clone' },
  { value: 'linkedClone', label: 'Linked clone (from a snapshot of the template)' },
];

interface StoredTemplate {
  metadata: { name?: string; resourceVersion?: string; [key: string]: unknown };
  spec?: { template?: { spec?: Record<string, unknown> } };
}

/**
 * The VSphereMachineTemplate form: pick a credential, and the datacenter,
 * template, folder, resource pool, datastore and networks come from that
 * vCenter (the platform proxy's inventory); sizes and clone mode are typed.
 * Every problem shows next to its field; nothing is sent until there are none.
 */
export const machineTemplateForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    const draft = emptyDraft();
    const server = textField('vCenter server', 'server', '', {
      placeholder: 'vcenter.example.com',
      hint: 'Empty: the cluster’s vCenter (VSphereCluster spec.server)',
    });
    const datacenter = selectField('Datacenter', 'datacenter', [], '');
    const template = selectField('VM template', 'template', [], '');
    const folder = selectField('VM folder', 'folder', [], '', {
      placeholder: '(the datacenter’s VM folder)',
    });
    const resourcePool = selectField('Resource pool', 'resourcePool', [], '', {
      placeholder: '(the first compute cluster’s)',
    });
    const datastore = selectField('Datastore', 'datastore', [], '', { placeholder: '(the template’s)' });
    const cloneMode = selectField('Clone mode', 'cloneMode', CLONE_MODES, '', {
      placeholder: '(full clone)',
    });
    const numCPUs = numberField('CPUs', 'numCPUs', draft.numCPUs);
    const memoryMiB = numberField('Memory (MiB)', 'memoryMiB', draft.memoryMiB);
    const diskGiB = numberField('System disk (GiB)', 'diskGiB', draft.diskGiB, {
      hint: 'Empty keeps the template’s disk size',
    });
    const nics = nicDevices(draft.nics);

    /** An edited template's values into the fields; its lists fill once a credential is chosen. */
    const show = (loaded: MachineTemplateDraft) => {
      server.input.value = loaded.server;
      datacenter.fill([], loaded.datacenter);
      template.fill([], loaded.template);
      folder.fill([], loaded.folder);
      resourcePool.fill([], loaded.resourcePool);
      datastore.fill([], loaded.datastore);
      cloneMode.select.value = loaded.cloneMode;
      numCPUs.input.value = Number.isNaN(loaded.numCPUs) ? '' : String(loaded.numCPUs);
      memoryMiB.input.value = Number.isNaN(loaded.memoryMiB) ? '' : String(loaded.memoryMiB);
      diskGiB.input.value = Number.isNaN(loaded.diskGiB) ? '' : String(loaded.diskGiB);
      nics.show(loaded.nics);
    };

    const { root, unmount, credential } = mountPlatformResourceForm<
      StoredTemplate,
      MachineTemplateDraft,
      never
    >(element, props, {
      id: 'vsphere.machine-template.form',
      className: VSPHERE_CLASS,
      noun: 'vSphere machine template',
      apiVersion: VSPHERE_API.replace('/apis/', ''),
      kind: 'VSphereMachineTemplate',
      kindWithArticle: 'a VSphereMachineTemplate',
      collectionPath: vspherePath(props.namespace, 'vspheremachinetemplates'),
      credential: {
        label: 'Credential',
        hint: 'The vCenter whose datacenters, templates, datastores and networks are offered',
        choices: () => credentialChoices(props.api, props.namespace),
      },
      rows: [
        server.row,
        datacenter.row,
        template.row,
        folder.row,
        resourcePool.row,
        datastore.row,
        cloneMode.row,
        numCPUs.row,
        memoryMiB.row,
        diskGiB.row,
        ...nics.rows,
      ],
      read: (name) => ({
        name,
        server: server.input.value.trim(),
        datacenter: datacenter.select.value,
        template: template.select.value,
        folder: folder.select.value,
        resourcePool: resourcePool.select.value,
        datastore: datastore.select.value,
        cloneMode: cloneMode.select.value as MachineTemplateDraft['cloneMode'],
        numCPUs: numCPUs.read(),
        memoryMiB: memoryMiB.read(),
        diskGiB: diskGiB.read(),
        nics: nics.read(),
      }),
      problems: validateMachineTemplate,
      // Fields the form does not offer (a stored template's extras) are kept as they were.
      spec: (typed, stored) => ({
        template: { spec: { ...(stored?.spec?.template?.spec ?? {}), ...machineSpecOf(typed) } },
      }),
      show(found) {
        if (found) show(draftOf(found.metadata.name ?? '', found.spec?.template?.spec ?? {}));
      },
    });

    const offer = (choices: InventoryChoices) => {
      template.fill(choices.templates, template.select.value);
      folder.fill(choices.folders, folder.select.value);
      resourcePool.fill(choices.resourcePools, resourcePool.select.value);
      datastore.fill(choices.datastores, datastore.select.value);
      nics.offer(choices.networks);
    };
    const vcenter = () => vcenterOf(props.api, props.namespace, credential.select.value);

    /** Fills the datacenter's lists; a failure shows next to the field that asked. */
    const loadInventory = async () => {
      let choices = noInventory;
      if (credential.select.value && datacenter.select.value)
        try {
          choices = await vcenter().inventory(datacenter.select.value);
        } catch (error) {
          showErrorAt(root, 'datacenter', error);
        }
      offer(choices);
    };

    const loadDatacenters = async () => {
      if (!credential.select.value) return;
      try {
        datacenter.fill(await vcenter().datacenters(), datacenter.select.value);
        await loadInventory();
      } catch (error) {
        showErrorAt(root, 'credential', error);
      }
    };
    credential.select.addEventListener('change', () => void loadDatacenters());
    datacenter.select.addEventListener('change', () => void loadInventory());

    credential.select.addEventListener('change', () => void loadDatacenters());
    datacenter.select.addEventListener('change', () => void loadInventory());
    return unmount;
  },
} satisfies StrictAnchorExport<'machine-template.form'>;
