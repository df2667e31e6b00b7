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
  platformClient,
  selectField,
  showErrorAt,
  showProblems,
  textField,
  writeFailureProblem,
} from '@immutable-infra/ui-kit';
import { basePath, credentialChoices, type KubeObject, readEdited } from '../catalog/resources.js';
import type { DcsPlatformOperations, DvSwitchFact } from '../platform-operations.js';
import { type PoolSpec, validatePoolSpec, withPrefixMasks } from './pool-rules.js';

type Entry = PoolSpec['pool'][number];
type Nic = NonNullable<Entry['additionNic']>[number];

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The DV switches and port groups of the platform, through a credential the user picks. */
async function loadSwitches(api: HostApi, namespace: string, credential: string): Promise<DvSwitchFact[]> {
  if (!credential) return [];
  return platformClient<DcsPlatformOperations>(api, { namespace, name: credential }).listDvSwitches();
}

export const ipPoolForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.ip-pool.form', { className: 'dcs-ext' });
    const creating = props.name === undefined;
    const name = textField('Name', 'name', props.name ?? '', { readOnly: !creating });
    const credential = selectField('Credential', 'credential', [], '', {
      hint: 'Lists the DV switches and port groups of this DCS platform',
    });
    const entriesBox = h('div', { data: { entries: '' } });
    const summary = formSummary();
    let entries: Entry[] = [];
    let held = new Map<string, string>();
    let switches: DvSwitchFact[] = [];
    let existing: KubeObject | undefined;

    const nicFields = (nic: Nic, at: string, node: boolean) => {
      const fields = {
        ip: textField(node ? 'Node IP' : 'IP', `${at}.ip`, nic.ip ?? '', { placeholder: '10.0.1.11' }),
        mask: textField('Subnet mask', `${at}.mask`, nic.mask ?? '', {
          placeholder: '24',
          hint: 'A prefix length (24) or a dotted mask (255.255.255.0)',
        }),
        gateway: textField('Gateway', `${at}.gateway`, nic.gateway ?? ''),
        dns: textField('DNS', `${at}.dns`, nic.dns ?? '', {
          hint: 'IPv4 addresses separated by commas or semicolons',
        }),
        dvSwitchName: selectField(
          'dvSwitch name',
          `${at}.dvSwitchName`,
          switches.map((s) => ({ value: s.name, label: s.name })),
          nic.dvSwitchName ?? '',
          { placeholder: node ? "(the VM template's)" : '— choose —' },
        ),
        portGroupName: selectField('Port group name', `${at}.portGroupName`, [], nic.portGroupName ?? '', {
          placeholder: node ? "(the VM template's)" : '— choose —',
        }),
      };
      const fillGroups = () => {
        const groups: Choice[] =
          switches
            .find((s) => s.name === fields.dvSwitchName.select.value)
            ?.portGroups.map((p) => ({ value: p.name, label: p.name })) ?? [];
        fields.portGroupName.fill(groups, fields.portGroupName.select.value);
      };
      fields.dvSwitchName.select.addEventListener('change', fillGroups);
      fillGroups();
      return fields;
    };

    type NicFields = ReturnType<typeof nicFields>;
    let rendered: {
      node: NicFields;
      hostname: HTMLInputElement;
      machineName: HTMLInputElement;
      nics: NicFields[];
    }[] = [];

    const readNic = (fields: NicFields): Nic => {
      const nic: Record<string, string> = {};
      for (const key of ['ip', 'mask', 'gateway', 'dns'] as const) {
        const value = fields[key].input.value.trim();
        if (value) nic[key] = value;
      }
      for (const key of ['dvSwitchName', 'portGroupName'] as const) {
        const value = fields[key].select.value;
        if (value) nic[key] = value;
      }
      return nic;
    };

    /** The entries as typed, keeping what the form does not edit (persistent disks). */
    const sync = () => {
      entries = rendered.map((r, i) => {
        const before = entries[i] ?? ({ ip: '' } as Entry);
        const node = readNic(r.node);
        const entry: Entry = { ...node, ip: node.ip ?? '' };
        if (r.hostname.value.trim()) entry.hostname = r.hostname.value.trim();
        if (r.machineName.value.trim()) entry.machineName = r.machineName.value.trim();
        const nics = r.nics.map(readNic);
        if (nics.length > 0) entry.additionNic = nics;
        if (before.persistentDisk) entry.persistentDisk = before.persistentDisk;
        return entry;
      });
    };

    const renderEntries = () => {
      rendered = [];
      entriesBox.replaceChildren(
        ...entries.map((entry, i) => {
          const at = `pool.${i}`;
          const node = nicFields(entry, at, true);
          const hostname = textField('Hostname', `${at}.hostname`, entry.hostname ?? '');
          const machineName = textField('Machine name', `${at}.machineName`, entry.machineName ?? '');
          const nics = (entry.additionNic ?? []).map((nic, j) =>
            nicFields(nic, `${at}.additionNic.${j}`, false),
          );
          rendered.push({ node, hostname: hostname.input, machineName: machineName.input, nics });
          const holder = held.get(entry.ip);
          const remove = button(
            'Remove entry',
            () => {
              sync();
              entries.splice(i, 1);
              renderEntries();
            },
            { action: `remove-entry:${i}` },
          );
          if (holder) {
            remove.disabled = true;
            remove.title = `held by ${holder}; delete or scale down that machine first`;
          }
          const disks = entry.persistentDisk?.length ?? 0;
          return h(
            'div',
            { className: KIT_CLASSES.card, data: { entry: String(i) } },
            h('h3', { text: `Node ${i + 1}${holder ? ` (held by ${holder})` : ''}` }),
            node.ip.row,
            node.mask.row,
            node.gateway.row,
            node.dns.row,
            hostname.row,
            machineName.row,
            node.dvSwitchName.row,
            node.portGroupName.row,
            disks > 0 ? hint(`${disks} persistent disk(s), kept as they are (YAML only)`) : null,
            ...nics.map((nic, j) =>
              h(
                'div',
                { className: KIT_CLASSES.card, data: { nic: `${i}.${j}` } },
                h('h3', { text: `Additional NIC ${j + 1}` }),
                nic.ip.row,
                nic.mask.row,
                nic.gateway.row,
                nic.dns.row,
                nic.dvSwitchName.row,
                nic.portGroupName.row,
                button(
                  'Remove NIC',
                  () => {
                    sync();
                    entries[i]?.additionNic?.splice(j, 1);
                    renderEntries();
                  },
                  { action: `remove-nic:${i}.${j}` },
                ),
              ),
            ),
            button(
              'Add NIC',
              () => {
                sync();
                const target = entries[i];
                if (target) target.additionNic = [...(target.additionNic ?? []), {}];
                renderEntries();
              },
              { action: `add-nic:${i}` },
            ),
            remove,
          );
        }),
      );
    };

    const save = async () => {
      sync();
      const spec: PoolSpec = { pool: entries };
      const problems = validatePoolSpec(spec);
      const poolName = name.input.value.trim();
      if (!poolName) problems.unshift({ field: 'name', message: 'the name is required' });
      else if (!NAME.test(poolName))
        problems.unshift({
          field: 'name',
          message: '1-63 lowercase letters, digits and hyphens, starting and ending alphanumeric',
        });
      for (const [ip, holder] of held)
        if (!entries.some((e) => e.ip === ip))
          problems.push({ field: 'pool', message: `entry ${ip} is held by ${holder} and cannot be removed` });
      if (showProblems(root, problems) > 0) return;
      const path = basePath(props.namespace, 'dcsiphostnamepools');
      try {
        if (creating || !existing)
          await props.api.kubernetes({
            method: 'POST',
            path,
            body: {
              apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
              kind: 'DCSIpHostnamePool',
              metadata: { name: poolName, namespace: props.namespace },
              spec,
            },
          });
        else
          await props.api.kubernetes({
            method: 'PUT',
            path: `${path}/${encodeURIComponent(poolName)}`,
            body: { ...existing, spec },
          });
        // The host announces a save it is told of; a toast of our own would say it twice.
        props.onSaved(poolName);
      } catch (error) {
        showProblems(root, [
          writeFailureProblem(error, creating, `an IP pool named ${poolName} already exists`),
        ]);
      }
    };

    credential.select.addEventListener('change', () => {
      sync();
      loadSwitches(props.api, props.namespace, credential.select.value)
        .then((list) => {
          switches = list;
          renderEntries();
        })
        .catch((error: unknown) => showErrorAt(root, 'credential', error));
    });

    root.append(
      h('h2', { text: creating ? 'Create IP pool' : `Update IP pool ${props.name}` }),
      name.row,
      credential.row,
      fieldGroup('Node entries', 'pool', entriesBox),
      button(
        'Add node entry',
        () => {
          sync();
          entries.push({ ip: '' } as Entry);
          renderEntries();
        },
        { action: 'add-entry' },
      ),
      summary,
      formActions(
        creating,
        () => void save(),
        () => props.onCancel(),
      ),
    );

    void (async () => {
      try {
        const [credentials, pool] = await Promise.all([
          credentialChoices(props.api, props.namespace),
          readEdited(props.api, props.namespace, 'dcsiphostnamepools', props.name),
        ]);
        credential.fill(credentials, '');
        existing = pool;
        if (pool) {
          const { status: _status, ...rest } = pool;
          existing = rest as KubeObject;
          entries = withPrefixMasks((pool.spec ?? { pool: [] }) as PoolSpec).pool;
          const slots =
            (pool.status as { slots?: { ip: string; dcsMachine: string }[] } | undefined)?.slots ?? [];
          held = new Map(slots.map((slot) => [slot.ip, slot.dcsMachine]));
        } else entries = [{ ip: '' } as Entry];
        renderEntries();
      } catch (error) {
        showErrorAt(root, '(form)', error);
      }
    })();
    return unmount;
  },
} satisfies StrictAnchorExport<'ip-pool.form'>;
