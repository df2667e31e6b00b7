/// <reference lib="dom" />
import type { CreateClusterStep, CreateClusterStepProps } from '@immutable-infra/core';
import {
  button,
  type Choice,
  describeError,
  formSummary,
  h,
  KIT_CLASSES,
  numberField,
  selectField,
  showProblems,
  textAreaField,
  textField,
} from '@immutable-infra/ui-kit';
import { newWorkerPool, STEP, type WorkerPoolDraft } from '../draft.js';
import { keysOf, mountStep, templateChoices } from './step-context.js';

export const workerPoolsStep: CreateClusterStep = {
  id: STEP.workers,
  title: 'Worker Node Pools',
  mount(element, props: CreateClusterStepProps) {
    const { root, draft, unmount, showProblemsAgain } = mountStep(element, props, 'dcs.wizard.workers');
    const list = h('div', { data: { pools: '' } });
    // The documented tip: prefix pool names with the cluster name.
    let pools: WorkerPoolDraft[] = draft.workers.map((p, i) =>
      p.name || !draft.name ? { ...p } : { ...p, name: `${draft.name}-worker-${i + 1}` },
    );
    if (pools.some((p, i) => p.name !== draft.workers[i]?.name)) props.update({ workers: pools });
    let choices: Choice[] = [];
    let readers: (() => WorkerPoolDraft)[] = [];

    const sync = () => {
      pools = readers.map((read) => read());
      props.update({ workers: pools });
    };

    const render = () => {
      readers = [];
      list.replaceChildren(
        ...pools.map((pool, i) => {
          const at = `workers.${i}`;
          const name = textField('Pool name', `${at}.name`, pool.name, {
            hint: 'Prefix it with the cluster name, e.g. mycluster-worker-1',
          });
          const template = selectField(
            'Machine template',
            `${at}.machineTemplate`,
            choices,
            pool.machineTemplate,
          );
          const replicas = numberField('Replicas', `${at}.replicas`, pool.replicas);
          const surge = numberField('Max surge', `${at}.maxSurge`, pool.maxSurge, {
            hint: 'Keep 0 when the pool uses persistent disks',
          });
          const unavailable = numberField('Max unavailable', `${at}.maxUnavailable`, pool.maxUnavailable, {
            hint: 'With max surge 0: at least 1 and at most the replicas',
          });
          const keys = textAreaField(
            'SSH authorized keys',
            `${at}.sshAuthorizedKeys`,
            pool.sshAuthorizedKeys.join('\n'),
          );
          readers.push(() => ({
            name: name.input.value.trim(),
            machineTemplate: template.select.value,
            replicas: replicas.read(),
            maxSurge: surge.read(),
            maxUnavailable: unavailable.read(),
            sshAuthorizedKeys: keysOf(keys.input.value),
          }));
          const card = h(
            'div',
            { className: KIT_CLASSES.card, data: { pool: String(i) } },
            h('h3', { text: `Worker pool ${i + 1}` }),
            name.row,
            template.row,
            replicas.row,
            surge.row,
            unavailable.row,
            keys.row,
            button(
              'Remove pool',
              () => {
                sync();
                pools.splice(i, 1);
                props.update({ workers: pools });
                render();
              },
              { action: `remove-pool:${i}` },
            ),
          );
          card.addEventListener('input', sync);
          card.addEventListener('change', sync);
          return card;
        }),
      );
    };

    root.append(
      list,
      button(
        'Add worker pool',
        () => {
          sync();
          pools.push(newWorkerPool(draft.name, pools.length));
          props.update({ workers: pools });
          render();
        },
        { action: 'add-pool' },
      ),
      formSummary(),
    );
    render();
    showProblemsAgain();
    templateChoices(props, draft, 'worker')
      .then((loaded) => {
        choices = loaded.choices;
        sync();
        render();
        showProblemsAgain();
      })
      .catch((error: unknown) => showProblems(root, [{ field: '(form)', message: describeError(error) }]));
    return unmount;
  },
};
