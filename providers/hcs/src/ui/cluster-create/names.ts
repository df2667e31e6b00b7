import { clusterObjectNames, type ObjectNameSuffixes } from '@immutable-infra/ui-kit';

/** `<cluster>-control-plane` as documented, and per worker pool `<pool>-template` and `<pool>-bootstrap`. */
export const HCS_NAME_SUFFIXES: ObjectNameSuffixes = {
  controlPlaneTemplate: '-control-plane',
  workerTemplate: '-template',
  bootstrapTemplate: '-bootstrap',
};

/** The names of the objects the workflow creates; the KubeadmControlPlane is named after the cluster, as documented. */
export function objectNames(draft: { name: string; workers: readonly { name: string }[] }) {
  return { ...clusterObjectNames(draft, HCS_NAME_SUFFIXES), controlPlane: draft.name };
}
