/// <reference lib="dom" />
import type { CreateClusterStep, CreateClusterStepProps } from '@immutable-infra/core';
import {
  formSummary,
  h,
  KIT_CLASSES,
  newestVersion,
  selectField,
  showErrorAt,
  textField,
} from '@immutable-infra/ui-kit';
import { credentialChoices, listVersions } from '../../catalog/resources.js';
import { STEP } from '../draft.js';
import { mountStep } from './step-context.js';

export const basicInfoStep: CreateClusterStep = {
  id: STEP.basic,
  title: 'Basic Info',
  mount(element, props: CreateClusterStepProps) {
    const { root, draft, unmount, showProblemsAgain } = mountStep(element, props, 'dcs.wizard.basic');
    const credential = selectField('Infrastructure credential', 'credential', [], draft.credential);
    const name = textField('Name', 'name', draft.name, {
      hint: 'Lowercase letters, digits and hyphens; not global',
    });
    const displayName = textField('Display name', 'displayName', draft.displayName);
    const distribution = textField('Distribution version', 'distributionVersion', draft.distributionVersion, {
      readOnly: true,
    });
    const kubernetes = textField('Kubernetes version', 'kubernetesVersion', draft.kubernetesVersion, {
      readOnly: true,
      hint: 'The newest version the VM template ConfigMaps offer',
    });
    const address = textField('Cluster API address', 'apiServerAddress', draft.apiServerAddress, {
      placeholder: 'https://<load-balancer-address>:6443',
    });
    const ha = h('input', {
      type: 'checkbox',
      checked: draft.controlPlaneHA,
      data: { field: 'controlPlaneHA' },
    });

    credential.select.addEventListener('change', () => props.update({ credential: credential.select.value }));
    name.input.addEventListener('input', () => props.update({ name: name.input.value.trim() }));
    displayName.input.addEventListener('input', () => props.update({ displayName: displayName.input.value }));
    address.input.addEventListener('input', () =>
      props.update({ apiServerAddress: address.input.value.trim() }),
    );
    ha.addEventListener('change', () => props.update({ controlPlaneHA: ha.checked }));

    root.append(
      credential.row,
      name.row,
      displayName.row,
      distribution.row,
      kubernetes.row,
      address.row,
      h(
        'div',
        { className: KIT_CLASSES.field },
        h('span', { text: 'Control plane HA (DRS)' }),
        // The label wraps the box, so the box is named by its text (no id that a second mount would repeat).
        h('label', {}, ha, ' keep control plane VMs on different hosts (needs DRS on the DCS cluster)'),
      ),
      formSummary(),
    );
    showProblemsAgain();

    void (async () => {
      try {
        const [credentials, versions] = await Promise.all([
          credentialChoices(props.api, props.namespace),
          listVersions(props.api, props.namespace),
        ]);
        credential.fill(credentials, draft.credential);
        const newest = newestVersion(versions);
        if (newest && !draft.kubernetesVersion) {
          kubernetes.input.value = newest.kubernetesVersion;
          distribution.input.value = newest.distributionVersion;
          props.update({
            kubernetesVersion: newest.kubernetesVersion,
            distributionVersion: newest.distributionVersion,
          });
        }
      } catch (error) {
        showErrorAt(root, '(form)', error);
      }
    })();
    return unmount;
  },
};
