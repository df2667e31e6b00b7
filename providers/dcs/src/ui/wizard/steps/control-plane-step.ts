/// <reference lib="dom" />
import type { CreateClusterStep, CreateClusterStepProps } from '@immutable-infra/core';
import {
  describeError,
  formSummary,
  selectField,
  showProblems,
  textAreaField,
  textField,
} from '@immutable-infra/ui-kit';
import { STEP } from '../draft.js';
import { keysOf, mountStep, templateChoices } from './step-context.js';

export const controlPlaneStep: CreateClusterStep = {
  id: STEP.controlPlane,
  title: 'Control Plane Node Pool',
  mount(element, props: CreateClusterStepProps) {
    const { root, draft, unmount, showProblemsAgain } = mountStep(element, props, 'dcs.wizard.control-plane');
    const template = selectField(
      'Machine template',
      'controlPlane.machineTemplate',
      [],
      draft.controlPlane.machineTemplate,
      {
        hint: 'Control plane templates whose VM template carries this Kubernetes version',
      },
    );
    const replicas = textField('Replicas', 'controlPlane.replicas', String(draft.controlPlane.replicas), {
      readOnly: true,
      hint: 'Fixed at 3 for high availability',
    });
    const keys = textAreaField(
      'SSH authorized keys',
      'controlPlane.sshAuthorizedKeys',
      draft.controlPlane.sshAuthorizedKeys.join('\n'),
      {
        hint: 'One OpenSSH public key per line',
      },
    );
    const push = () =>
      props.update({
        controlPlane: {
          ...draft.controlPlane,
          machineTemplate: template.select.value,
          sshAuthorizedKeys: keysOf(keys.input.value),
        },
      });
    template.select.addEventListener('change', push);
    keys.input.addEventListener('input', push);
    root.append(template.row, replicas.row, keys.row, formSummary());
    showProblemsAgain();
    templateChoices(props, draft, 'control-plane')
      .then(({ choices }) => {
        template.fill(choices, draft.controlPlane.machineTemplate);
        showProblemsAgain();
      })
      .catch((error: unknown) => showProblems(root, [{ field: '(form)', message: describeError(error) }]));
    return unmount;
  },
};
