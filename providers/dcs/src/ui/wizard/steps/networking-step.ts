/// <reference lib="dom" />
import type { CreateClusterStep, CreateClusterStepProps } from '@immutable-infra/core';
import { formSummary, textField } from '@immutable-infra/ui-kit';
import { STEP } from '../draft.js';
import { mountStep } from './step-context.js';

export const networkingStep: CreateClusterStep = {
  id: STEP.networking,
  title: 'Networking',
  mount(element, props: CreateClusterStepProps) {
    const { root, draft, unmount, showProblemsAgain } = mountStep(element, props, 'dcs.wizard.networking');
    const pods = textField('Pods CIDR', 'networking.podsCidr', draft.networking.podsCidr, {
      placeholder: '10.3.0.0/16',
    });
    const services = textField('Services CIDR', 'networking.servicesCidr', draft.networking.servicesCidr, {
      placeholder: '10.4.0.0/16',
    });
    const join = textField('Join CIDR', 'networking.joinCidr', draft.networking.joinCidr, {
      placeholder: '100.64.0.0/16',
      hint: 'Kube-OVN join network; must not overlap the pod or service CIDR',
    });
    const push = () =>
      props.update({
        networking: {
          podsCidr: pods.input.value.trim(),
          servicesCidr: services.input.value.trim(),
          joinCidr: join.input.value.trim(),
        },
      });
    for (const field of [pods, services, join]) field.input.addEventListener('input', push);
    root.append(pods.row, services.row, join.row, formSummary());
    showProblemsAgain();
    return unmount;
  },
};
