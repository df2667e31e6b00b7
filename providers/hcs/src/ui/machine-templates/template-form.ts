/// <reference lib="dom" />
import type { ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  button,
  type Choice,
  card,
  fieldGroup,
  h,
  mountPlatformResourceForm,
  namedChoices,
  numberField,
  selectField,
  showErrorAt,
  showProblems,
  textField,
} from '@immutable-infra/ui-kit';
import type { HCSMachineConfigPoolObject } from '../../api/hcs-machine-config-pool.js';
import type { HCSMachineTemplateObject } from '../../api/hcs-machine-template.js';
import { HCS_API_VERSION, HCS_CLASS, hcsPath } from '../catalog.js';
import { FILE_SYSTEMS } from '../config-pools/pool-rules.js';
import { catalogChoices, credentialChoices, platformOf } from '../platform-choices.js';
import type { MachineCatalog } from '../platform-operations.js';
import {
  CONTROL_PLANE_DATA_VOLUMES,
  emptyTemplate,
  emptyVolume,
  type MachineTemplateDraft,
  machineSpecOf,
  templateDraftOf,
  type VolumeDraft,
  validateMachineTemplate,
} from './template-rules.js';

type StoredTemplate = Pick<HCSMachineTemplateObject, 'metadata' | 'spec'>;
const fileSystems: Choice[] = namedChoices(FILE_SYSTEMS);

/** The data disks: one card each (size, type, mount path, file system), removable. */
function dataVolumeCards(initial: VolumeDraft[]) {
  const box = h('div', { data: { dataVolumes: '' } });
  let types: Choice[] = [];
  let readers: (() => VolumeDraft)[] = [];
  const read = () => readers.map((reader) => reader());
  const render = (volumes: VolumeDraft[]) => {
    readers = [];
    box.replaceChildren(
      ...volumes.map((volume, i) => {
        const at = `dataVolumes.${i}`;
        const size = numberField('Size (GB)', `${at}.size`, volume.size);
        const type = selectField('Disk type', `${at}.type`, types, volume.type);
        const mountPath = textField('Mount path', `${at}.mountPath`, volume.mountPath, {
          placeholder: '/var/lib/etcd',
        });
        const format = selectField('File system', `${at}.format`, fileSystems, volume.format || 'xfs', {
          noEmptyChoice: true,
        });
        readers.push(() => ({
          size: size.read(),
          type: type.select.value,
          mountPath: mountPath.input.value.trim(),
          format: format.select.value,
        }));
        return card(
          { dataVolume: String(i) },
          size.row,
          type.row,
          mountPath.row,
          format.row,
          button('Remove data disk', () => render(read().filter((_, k) => k !== i)), {
            action: `remove-data-volume:${i}`,
          }),
        );
      }),
    );
  };
  render(initial);
  return {
    rows: [
      h('h3', { text: 'Data disks' }),
      fieldGroup('Data disks', 'dataVolumes', box),
      button('Add data disk', () => render([...read(), emptyVolume(types[0]?.value)]), {
        action: 'add-data-volume',
      }),
      button(
        'Add the recommended control plane disks',
        () => {
          const present = read();
          const missing = CONTROL_PLANE_DATA_VOLUMES.filter(
            (v) => !present.some((p) => p.mountPath === v.mountPath),
          ).map((v) => ({ ...v, type: types[0]?.value ?? '' }));
          render([...present, ...missing]);
        },
        { action: 'add-control-plane-volumes' },
      ),
    ],
    read,
    show: render,
    offer(choices: Choice[]) {
      types = choices;
      render(read());
    },
  };
}

/**
 * The HCSMachineTemplate form: image, flavor, availability zone, system and
 * data disks and key pair, each offered from the chosen credential's project
 * (the credential only fills the lists: machines use their cluster's), and
 * the HCSMachineConfigPool of the namespace giving hostnames and IPs.
 */
export const machineTemplateForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    let catalog: MachineCatalog | undefined;
    const draft = emptyTemplate();

    const imageName = selectField('Image', 'imageName', [], '');
    const flavorName = selectField('Flavor', 'flavorName', [], '');
    const availabilityZone = selectField('Availability zone', 'availabilityZone', [], '', {
      placeholder: '(any zone)',
    });
    const rootType = selectField('System disk type', 'rootVolume.type', [], '');
    const rootSize = numberField('System disk size (GB)', 'rootVolume.size', draft.rootVolume.size);
    const configPool = selectField('Config pool', 'configPoolRef.name', [], '', {
      hint: 'The HCSMachineConfigPool giving each machine its hostname and static IPs',
    });
    const keyPairName = selectField('Key pair', 'keyPairName', [], '', { placeholder: '(none)' });
    const dataVolumes = dataVolumeCards([]);

    const show = (loaded: MachineTemplateDraft) => {
      imageName.fill([], loaded.imageName);
      flavorName.fill([], loaded.flavorName);
      availabilityZone.fill([], loaded.availabilityZone);
      rootType.fill([], loaded.rootVolume.type);
      rootSize.input.value = Number.isNaN(loaded.rootVolume.size) ? '' : String(loaded.rootVolume.size);
      configPool.select.value = loaded.configPool;
      keyPairName.fill([], loaded.keyPairName);
      dataVolumes.show(loaded.dataVolumes);
    };

    type Pools = { items?: Pick<HCSMachineConfigPoolObject, 'metadata'>[] };
    const { root, unmount, credential } = mountPlatformResourceForm<
      StoredTemplate,
      MachineTemplateDraft,
      Pools
    >(element, props, {
      id: 'hcs.machine-template.form',
      className: HCS_CLASS,
      noun: 'HCS machine template',
      apiVersion: HCS_API_VERSION,
      kind: 'HCSMachineTemplate',
      kindWithArticle: 'an HCSMachineTemplate',
      collectionPath: hcsPath(props.namespace, 'hcsmachinetemplates'),
      credential: {
        label: 'Credential (for the lists)',
        hint: 'Offers this project’s images, flavors, zones and disk types; machines use their cluster’s credential',
        choices: () => credentialChoices(props.api, props.namespace),
      },
      rows: [
        imageName.row,
        flavorName.row,
        availabilityZone.row,
        rootType.row,
        rootSize.row,
        configPool.row,
        keyPairName.row,
        ...dataVolumes.rows,
      ],
      read: (name) => ({
        name,
        imageName: imageName.select.value,
        flavorName: flavorName.select.value,
        availabilityZone: availabilityZone.select.value,
        rootVolume: { type: rootType.select.value, size: rootSize.read() },
        configPool: configPool.select.value,
        keyPairName: keyPairName.select.value,
        dataVolumes: dataVolumes.read(),
      }),
      problems(typed, creating) {
        const image = catalog?.images.find((i) => i.name === typed.imageName);
        return validateMachineTemplate(typed, creating, { imageMinDiskGiB: image?.minDiskGiB });
      },
      spec(typed, stored) {
        // Fields the form does not offer (a stored template's extras) are kept as they were; the
        // optional ones it offers are dropped when emptied.
        const {
          availabilityZone: _,
          keyPairName: __,
          dataVolumes: ___,
          ...kept
        } = stored?.spec.template.spec ?? {};
        return { template: { spec: { ...kept, ...machineSpecOf(typed) } } };
      },
      loadMore: () =>
        props.api.kubernetes<Pools>({
          method: 'GET',
          path: hcsPath(props.namespace, 'hcsmachineconfigpools'),
        }),
      show(found, pools) {
        const poolNames = (pools?.items ?? []).map((p) => p.metadata.name ?? '');
        const storedPool = found?.spec.template.spec.configPoolRef?.name ?? '';
        configPool.fill(namedChoices(poolNames), storedPool);
        if (found) show(templateDraftOf(found.metadata.name ?? '', found.spec.template.spec));
      },
    });

    credential.select.addEventListener('change', () => {
      const chosen = credential.select.value;
      if (!chosen) return;
      platformOf(props.api, props.namespace, chosen)
        .machineCatalog()
        .then((found) => {
          catalog = found;
          const choices = catalogChoices(found);
          imageName.fill(choices.images, imageName.select.value);
          flavorName.fill(choices.flavors, flavorName.select.value);
          availabilityZone.fill(choices.availabilityZones, availabilityZone.select.value);
          rootType.fill(choices.volumeTypes, rootType.select.value);
          keyPairName.fill(choices.keyPairs, keyPairName.select.value);
          dataVolumes.offer(choices.volumeTypes);
          showProblems(root, []);
        })
        .catch((error: unknown) => showErrorAt(root, 'credential', error));
    });

    return unmount;
  },
} satisfies StrictAnchorExport<'machine-template.form'>;
