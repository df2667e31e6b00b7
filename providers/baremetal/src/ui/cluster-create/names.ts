import { clusterObjectNames, type ObjectNameSuffixes } from '@immutable-infra/ui-kit';

/**
 * The documented names: `<cluster>-control-plane-template` and the
 * `<cluster>-control-plane` KubeadmControlPlane, and per worker pool
 * `<pool>-template` and `<pool>-bootstrap` (a pool named `<cluster>-worker`
 * gives the documentation's `<cluster>-worker-template` and `-worker-bootstrap`).
 */
export const BAREMETAL_NAME_SUFFIXES: ObjectNameSuffixes = {
  controlPlaneTemplate: '-control-plane-template',
  workerTemplate: '-template',
  bootstrapTemplate: '-bootstrap',
};

/** The names of the objects the workflow creates. */
export function objectNames(draft: { name: string; workers: readonly { name: string }[] }) {
  return {
    ...clusterObjectNames(draft, BAREMETAL_NAME_SUFFIXES),
    controlPlane: `${draft.name}-control-plane`,
  };
}
