import { clusterObjectNames, type ObjectNameSuffixes } from '@immutable-infra/ui-kit';

/** The documented suffixes: `<cluster>-control-plane`, and per pool `<pool>-template` and `<pool>-bootstrap`. */
export const VSPHERE_NAME_SUFFIXES: ObjectNameSuffixes = {
  controlPlaneTemplate: '-control-plane',
  workerTemplate: '-template',
  bootstrapTemplate: '-bootstrap',
};

/** The names of the objects the workflow creates (the control plane is `<cluster>-kcp`). */
export const objectNames = (draft: { name: string; workers: readonly { name: string }[] }) =>
  clusterObjectNames(draft, VSPHERE_NAME_SUFFIXES);
