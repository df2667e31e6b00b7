/// <reference lib="dom" />
import type { ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import {
  button,
  describeError,
  extensionRoot,
  formSummary,
  h,
  selectField,
  showProblems,
  textField,
  writeFailureProblem,
} from '@immutable-infra/ui-kit';
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
    const { root, unmount } = extensionRoot(element, 'hcs.config-pool.form', { className: HCS_CLASS });
    const creating = props.name === undefined;
    let stored: StoredPool | undefined;
    let known: KnownSubnet[] = [];

    const credential = selectField('Credential (for the lists)', 'credential', [], '', {
      hint: 'Offers this project’s subnets and disk types; the pool is used with its cluster’s credential',
    });
    const name = textField('Name', 'name', props.name ?? '', { readOnly: !creating });
    const entries = entryCards([emptyEntry()]);

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
            volumeTypes: catalog.volumeTypes.map((type) => ({ value: type, label: type })),
          });
          showProblems(root, []);
        })
        .catch((error: unknown) =>
          showProblems(root, [{ field: 'credential', message: describeError(error) }]),
        );
    });

    const read = (): PoolDraft => ({ name: name.input.value.trim(), entries: entries.read() });

    const save = async () => {
      const draft = read();
      if (showProblems(root, validatePool(draft, creating, known)) > 0) return;
      const path = hcsPath(props.namespace, 'hcsmachineconfigpools');
      const body = {
        apiVersion: HCS_API_VERSION,
        kind: 'HCSMachineConfigPool',
        metadata: stored?.metadata ?? { name: draft.name, namespace: props.namespace },
        spec: poolSpecOf(draft, stored?.spec),
      };
      try {
        await (stored
          ? props.api.kubernetes({ method: 'PUT', path: `${path}/${encodeURIComponent(draft.name)}`, body })
          : props.api.kubernetes({ method: 'POST', path, body }));
        props.onSaved(draft.name);
      } catch (error) {
        const taken = `an HCSMachineConfigPool named ${draft.name} already exists`;
        showProblems(root, [writeFailureProblem(error, creating, taken)]);
      }
    };

    root.append(
      h('h2', { text: creating ? 'Create HCS config pool' : `Update HCS config pool ${props.name}` }),
      credential.row,
      name.row,
      ...entries.rows,
      formSummary(),
      h(
        'div',
        {},
        button(creating ? 'Create' : 'Update', () => void save(), { primary: true, action: 'save' }),
        button('Cancel', () => props.onCancel(), { action: 'cancel' }),
      ),
    );

    const path = props.name ? hcsPath(props.namespace, 'hcsmachineconfigpools', props.name) : undefined;
    Promise.all([
      credentialChoices(props.api, props.namespace),
      path ? props.api.kubernetes<StoredPool>({ method: 'GET', path }) : undefined,
    ])
      .then(([credentials, found]) => {
        credential.fill(credentials, '');
        if (!found) return;
        stored = found;
        entries.show(poolDraftOf(found.metadata.name ?? '', found.spec).entries);
      })
      .catch((error: unknown) => showProblems(root, [{ field: '(form)', message: describeError(error) }]));
    return unmount;
  },
} satisfies StrictAnchorExport<'ip-pool.form'>;
