/// <reference lib="dom" />
import type { HostApi, ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  button,
  type Choice,
  extensionRoot,
  fieldGroup,
  formActions,
  formSummary,
  h,
  hint,
  KIT_CLASSES,
  numberField,
  platformClient,
  selectField,
  showErrorAt,
  showProblems,
  textField,
  writeFailureProblem,
} from '@immutable-infra/ui-kit';
import { MACHINE_TYPE_LABEL, type MachineType, REVISION_OF_ANNOTATION } from '../catalog/labels.js';
import {
  basePath,
  credentialChoices,
  type KubeObject,
  listObjects,
  listPools,
  listVersions,
  machineTypeOf,
  readEdited,
} from '../catalog/resources.js';
import type { DcsPlatformOperations } from '../platform-operations.js';
import {
  type DiskDraft,
  defaultDisks,
  draftOf,
  type MachineTemplateDraft,
  machineSpecOf,
  mandatoryDisks,
  revisionName,
  validateMachineTemplate,
} from './template-rules.js';
import { templateUsers } from './template-usage.js';

interface PlatformChoices {
  templates: string[] | undefined;
  folders: Choice[];
  datastores: Choice[];
  datastoreClusters: Choice[];
}

async function platformChoices(
  api: HostApi,
  namespace: string,
  credential: string,
): Promise<PlatformChoices> {
  if (!credential) return { templates: undefined, folders: [], datastores: [], datastoreClusters: [] };
  const platform = platformClient<DcsPlatformOperations>(api, { namespace, name: credential });
  const [templates, folders, datastores, groups] = await Promise.all([
    platform.listVmTemplates(),
    platform.listFolders(),
    platform.listDatastores(),
    platform.listDatastoreClusters(),
  ]);
  const free = (d: { name: string; freeSizeGB?: number | undefined }) => ({
    value: d.name,
    label: d.freeSizeGB === undefined ? d.name : `${d.name} (${d.freeSizeGB} GB free)`,
  });
  return {
    templates: templates.map((t) => t.name),
    folders: folders.map((f) => ({ value: f.name, label: f.name })),
    datastores: datastores.map(free),
    datastoreClusters: groups.map(free),
  };
}

export const machineTemplateForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.machine-template.form', { className: 'dcs-ext' });
    const creating = props.name === undefined;
    const credential = selectField('Credential', 'credential', [], '', {
      hint: 'Lists the VM templates, folders and datastores of this DCS platform',
    });
    const name = textField('Name', 'name', props.name ?? '', {
      readOnly: !creating,
      ...(creating ? {} : { hint: 'Saving a template machines use creates a new template instead' }),
    });
    const type = selectField(
      'Type',
      'type',
      [
        { value: 'control-plane', label: 'Control Plane' },
        { value: 'worker', label: 'Worker Node' },
      ],
      'worker',
      // The type decides the mandatory disks: there is no "none".
      { noEmptyChoice: true },
    );
    const vmTemplate = selectField('VM template', 'vmTemplateName', [], '', {
      hint: 'From the version ConfigMaps: OS image and Kubernetes version',
    });
    const folder = selectField('Location (VM folder)', 'folder', [], '', { placeholder: '(none)' });
    const cpu = numberField('CPU cores', 'cpu', 4);
    const memory = numberField('Memory (MB)', 'memoryMB', 8192);
    const ipPool = selectField('IP pool', 'ipPool', [], '');
    const disksBox = h('div', { data: { disks: '' } });
    const summary = formSummary();
    let disks: DiskDraft[] = defaultDisks('worker');
    let choices: PlatformChoices = {
      templates: undefined,
      folders: [],
      datastores: [],
      datastoreClusters: [],
    };
    let versions: Awaited<ReturnType<typeof listVersions>> = [];
    let pools: string[] = [];
    let existing: KubeObject | undefined;
    let rows: {
      path: HTMLInputElement;
      size: () => number;
      kind: HTMLSelectElement;
      store: HTMLSelectElement;
    }[] = [];

    const syncDisks = () => {
      disks = disks.map((disk, i) => {
        const row = rows[i];
        if (!row) return disk;
        return {
          ...disk,
          path: disk.systemVolume ? '' : row.path.value.trim(),
          sizeGB: row.size(),
          datastoreKind: row.kind.value === 'name' ? 'name' : 'cluster',
          datastore: row.store.value,
        };
      });
    };

    const renderDisks = () => {
      // The first disk of each mandatory path is the mandatory one; a later copy is an ordinary (duplicate) disk.
      const required = new Set(
        mandatoryDisks(type.select.value as MachineType).flatMap((d) => (d.path ? [d.path] : [])),
      );
      rows = [];
      disksBox.replaceChildren(
        ...disks.map((disk, i) => {
          const at = `disks.${i}`;
          const mandatory = disk.systemVolume || required.delete(disk.path);
          const path = textField(
            disk.systemVolume ? 'System volume' : 'Mount path',
            `${at}.path`,
            disk.systemVolume ? '' : disk.path,
            {
              readOnly: mandatory,
              ...(disk.systemVolume ? { placeholder: '(system volume)' } : {}),
            },
          );
          const size = numberField(
            'Disk size (GB)',
            `${at}.sizeGB`,
            disk.sizeGB,
            disk.systemVolume ? { hint: '0 keeps the VM template’s size' } : {},
          );
          const kind = selectField(
            'Datastore type',
            `${at}.datastoreKind`,
            [
              { value: 'cluster', label: 'Datastore cluster (ClusterName)' },
              { value: 'name', label: 'Datastore (Name)' },
            ],
            disk.datastoreKind,
            { noEmptyChoice: true },
          );
          const store = selectField('Datastore', `${at}.datastore`, [], disk.datastore);
          const fillStores = () =>
            store.fill(
              kind.select.value === 'name' ? choices.datastores : choices.datastoreClusters,
              store.select.value,
            );
          kind.select.addEventListener('change', fillStores);
          fillStores();
          rows.push({ path: path.input, size: size.read, kind: kind.select, store: store.select });
          return h(
            'div',
            { className: KIT_CLASSES.card, data: { disk: String(i) } },
            path.row,
            size.row,
            kind.row,
            store.row,
            mandatory
              ? hint('Mandatory for this type')
              : button(
                  'Remove disk',
                  () => {
                    syncDisks();
                    disks.splice(i, 1);
                    renderDisks();
                  },
                  { action: `remove-disk:${i}` },
                ),
          );
        }),
      );
    };

    /** Keeps the disks typed, adds the mandatory ones of the new type, drops /var/lib/etcd for workers. */
    const changeType = () => {
      syncDisks();
      const next = type.select.value as MachineType;
      const firstStore = disks[0] ?? { datastoreKind: 'cluster' as const, datastore: '' };
      const wanted = mandatoryDisks(next);
      const kept = disks.filter((d) => !(next === 'worker' && d.path === '/var/lib/etcd'));
      for (const m of wanted)
        if (!kept.some((d) => (m.path === '' ? d.systemVolume : d.path === m.path)))
          kept.push({
            ...m,
            systemVolume: m.path === '',
            datastoreKind: firstStore.datastoreKind,
            datastore: firstStore.datastore,
          });
      disks = kept;
      renderDisks();
    };
    type.select.addEventListener('change', changeType);

    const fillTemplates = () => {
      const list: Choice[] = versions.map((v) => ({
        value: v.vmTemplateName,
        label: `${v.vmTemplateName} — OS ${v.vmImageVersion || '?'}, Kubernetes ${v.kubernetesVersion}${
          choices.templates && !choices.templates.includes(v.vmTemplateName) ? ' (not on the platform)' : ''
        }`,
      }));
      vmTemplate.fill(list, vmTemplate.select.value);
    };

    credential.select.addEventListener('change', () => {
      syncDisks();
      platformChoices(props.api, props.namespace, credential.select.value)
        .then((loaded) => {
          choices = loaded;
          folder.fill(choices.folders, folder.select.value);
          fillTemplates();
          renderDisks();
        })
        .catch((error: unknown) => showErrorAt(root, 'credential', error));
    });

    const read = (): MachineTemplateDraft => {
      syncDisks();
      return {
        name: name.input.value.trim(),
        type: type.select.value === 'control-plane' ? 'control-plane' : 'worker',
        vmTemplateName: vmTemplate.select.value,
        folder: folder.select.value,
        cpu: cpu.read(),
        memoryMB: memory.read(),
        disks,
        ipPool: ipPool.select.value,
      };
    };

    const save = async () => {
      const draft = read();
      if (showProblems(root, validateMachineTemplate(draft, { pools })) > 0) return;
      const path = basePath(props.namespace, 'dcsmachinetemplates');
      const body = (templateName: string, annotations?: Record<string, string>) => ({
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'DCSMachineTemplate',
        metadata: {
          name: templateName,
          namespace: props.namespace,
          labels: { ...(existing?.metadata.labels ?? {}), [MACHINE_TYPE_LABEL]: draft.type },
          ...(annotations ? { annotations } : {}),
        },
        spec: { template: { spec: machineSpecOf(draft) } },
      });
      try {
        if (creating || !existing) {
          await props.api.kubernetes({ method: 'POST', path, body: body(draft.name) });
          // The host announces a save it is told of; only what it cannot know gets a toast of ours.
          props.onSaved(draft.name);
          return;
        }
        const users = await templateUsers(props.api, props.namespace, draft.name);
        if (users.length === 0) {
          await props.api.kubernetes({
            method: 'PUT',
            path: `${path}/${encodeURIComponent(draft.name)}`,
            body: {
              ...body(draft.name),
              metadata: { ...existing.metadata, labels: body(draft.name).metadata.labels },
            },
          });
          props.onSaved(draft.name);
          return;
        }
        // Machines were made from it: a rollout must be a choice, so the edit becomes a new template.
        const taken = (await listObjects<KubeObject>(props.api, path)).map((t) => t.metadata.name);
        const next = revisionName(draft.name, taken);
        await props.api.kubernetes({
          method: 'POST',
          path,
          body: body(next, { [REVISION_OF_ANNOTATION]: draft.name }),
        });
        props.api.notify({
          kind: 'info',
          text: `${draft.name} is used by ${users.join(', ')}; the changes were saved as a new template ${next}`,
        });
        props.onSaved(next);
      } catch (error) {
        showProblems(root, [
          writeFailureProblem(error, creating, `a machine template named ${draft.name} already exists`),
        ]);
      }
    };

    root.append(
      h('h2', { text: creating ? 'Create machine template' : `Update machine template ${props.name}` }),
      credential.row,
      name.row,
      type.row,
      vmTemplate.row,
      folder.row,
      cpu.row,
      memory.row,
      h('h3', { text: 'Disks' }),
      fieldGroup('Disks', 'disks', disksBox),
      button(
        'Add disk',
        () => {
          syncDisks();
          const first = disks[0];
          disks.push({
            path: '',
            sizeGB: 100,
            systemVolume: false,
            datastoreKind: first?.datastoreKind ?? 'cluster',
            datastore: first?.datastore ?? '',
          });
          renderDisks();
        },
        { action: 'add-disk' },
      ),
      ipPool.row,
      summary,
      formActions(
        creating,
        () => void save(),
        () => props.onCancel(),
      ),
    );
    renderDisks();

    void (async () => {
      try {
        const [credentials, poolList, versionList, template] = await Promise.all([
          credentialChoices(props.api, props.namespace),
          listPools(props.api, props.namespace),
          listVersions(props.api, props.namespace),
          readEdited(props.api, props.namespace, 'dcsmachinetemplates', props.name),
        ]);
        credential.fill(credentials, '');
        pools = poolList.map((p) => p.name);
        ipPool.fill(
          poolList.map((p) => ({ value: p.name, label: `${p.name} (${p.free} of ${p.total} free)` })),
          ipPool.select.value,
        );
        versions = versionList;
        fillTemplates();
        if (template) {
          existing = template;
          const spec =
            (template.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template
              ?.spec ?? {};
          const draft = draftOf(template.metadata.name, machineTypeOf(template), spec);
          type.select.value = draft.type;
          vmTemplate.fill([], draft.vmTemplateName);
          fillTemplates();
          folder.fill([], draft.folder);
          cpu.input.value = String(draft.cpu);
          memory.input.value = String(draft.memoryMB);
          ipPool.select.value = draft.ipPool;
          if (ipPool.select.value !== draft.ipPool) ipPool.fill([], draft.ipPool);
          disks = draft.disks;
          renderDisks();
        }
      } catch (error) {
        showErrorAt(root, '(form)', error);
      }
    })();
    return unmount;
  },
} satisfies StrictAnchorExport<'machine-template.form'>;
