import { machineTemplateKind, printerColumns } from '@immutable-infra/provider-kit/kinds';
import { base } from './acme-cluster.js';
import { AcmeMachineSpec } from './acme-machine.js';

export const AcmeMachineTemplate = machineTemplateKind({
  base,
  machineKind: 'AcmeMachine',
  machineSpec: AcmeMachineSpec,
  printerColumns: [printerColumns.cluster],
});
