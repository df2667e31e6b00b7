/// <reference lib="dom" />
import type { FieldProblem, ResourceFormProps, StrictAnchorExport } from '@immutable-infra/core';
import { mountPlatformResourceForm, selectField } from '@immutable-infra/ui-kit';
import { BAREMETAL_API_VERSION } from '../../api/common.js';
import type { MachineInventoryPoolObject } from '../../api/machine-inventory-pool.js';
import { BAREMETAL_CLASS, baremetalPath } from '../catalog.js';
import { type InventoryPoolRecord, poolCounters, toPoolRecord } from '../pools/pool-record.js';

interface StoredTemplate {
  metadata: { name?: string };
  spec: { template: { spec: { machineInventoryPoolRef?: { name: string } } } };
}
interface TemplateDraft {
  name: string;
  pool: string;
}

const DNS_1123_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Every problem of a template draft: its name (creating) and a pool that exists. */
export function templateProblems(
  draft: TemplateDraft,
  creating: boolean,
  pools: readonly InventoryPoolRecord[],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (creating && !draft.name) problems.push({ field: 'name', message: 'the name is required' });
  else if (creating && (draft.name.length > 253 || !DNS_1123_NAME.test(draft.name)))
    problems.push({
      field: 'name',
      message: 'lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit',
    });
  if (!draft.pool) problems.push({ field: 'pool', message: 'choose the machine inventory pool' });
  else if (!pools.some((p) => p.name === draft.pool))
    problems.push({ field: 'pool', message: `machine inventory pool ${draft.pool} does not exist` });
  return problems;
}

/**
 * The BaremetalMachineTemplate form: the MachineInventoryPool its machines
 * take hosts from. The pool cannot change once set (the schema refuses it):
 * make a new template instead.
 */
export const machineTemplateForm = {
  mount(element: unknown, props: ResourceFormProps): () => void {
    const creating = props.name === undefined;
    const pool = selectField('Machine inventory pool', 'pool', [], '', {
      hint: creating
        ? 'The pool whose hosts this template’s machines take, in the pool’s order'
        : 'Fixed once created: make a new template to use another pool',
    });
    pool.select.disabled = !creating;
    let pools: InventoryPoolRecord[] = [];
    const { unmount } = mountPlatformResourceForm<StoredTemplate, TemplateDraft, InventoryPoolRecord[]>(
      element,
      props,
      {
        id: 'baremetal.machine-template.form',
        className: BAREMETAL_CLASS,
        noun: 'bare-metal machine template',
        apiVersion: BAREMETAL_API_VERSION,
        kind: 'BaremetalMachineTemplate',
        kindWithArticle: 'a BaremetalMachineTemplate',
        collectionPath: baremetalPath(props.namespace, 'baremetalmachinetemplates'),
        rows: [pool.row],
        read: (name) => ({ name, pool: pool.select.value }),
        problems: (draft, isNew) => templateProblems(draft, isNew, pools),
        spec: (draft) => ({ template: { spec: { machineInventoryPoolRef: { name: draft.pool } } } }),
        loadMore: async () =>
          (
            (
              await props.api.kubernetes<{ items?: MachineInventoryPoolObject[] }>({
                method: 'GET',
                path: baremetalPath(props.namespace, 'machineinventorypools'),
              })
            ).items ?? []
          ).map(toPoolRecord),
        show(found, more) {
          pools = more ?? [];
          pool.fill(
            pools.map((p) => ({
              value: p.name,
              label: `${p.name} — cluster ${p.cluster}, ${poolCounters(p)}`,
            })),
            found?.spec.template.spec.machineInventoryPoolRef?.name ?? '',
          );
        },
      },
    );
    return unmount;
  },
} satisfies StrictAnchorExport<'machine-template.form'>;
