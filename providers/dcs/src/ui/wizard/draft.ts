/**
 * The create-cluster wizard's draft: plain JSON the host keeps between steps.
 * Each step owns top-level keys (the host replaces top-level keys on update).
 * The shared keys are the kit's; DCS adds the distribution version and DRS.
 */
import {
  CLUSTER_STEP,
  type ClusterDraftBase,
  clusterObjectNames,
  draftValue,
  initialClusterDraft,
  type ObjectNameSuffixes,
  readClusterDraft,
  type WorkerPoolDraft,
} from '@immutable-infra/ui-kit';

export const STEP = CLUSTER_STEP;
export type { WorkerPoolDraft };

export interface DcsClusterDraft extends ClusterDraftBase {
  /** kubernetesVersion and this are filled from the version ConfigMaps: the newest the platform offers. */
  distributionVersion: string;
  /** DRS mutual exclusion for control plane VMs (only where the DCS cluster has DRS). */
  controlPlaneHA: boolean;
}

export function initialDraft(): DcsClusterDraft {
  return { ...initialClusterDraft(), distributionVersion: '', controlPlaneHA: false };
}

/** The host's draft as this workflow's shape; missing or mistyped keys fall back to the defaults. */
export function readDraft(value: Record<string, unknown>): DcsClusterDraft {
  return {
    ...readClusterDraft(value),
    distributionVersion: draftValue.text(value.distributionVersion, ''),
    controlPlaneHA: value.controlPlaneHA === true,
  };
}

export const DCS_NAME_SUFFIXES: ObjectNameSuffixes = {
  controlPlaneTemplate: '-cp-template',
  workerTemplate: '-template',
  bootstrapTemplate: '-kct',
};

/** The names the wizard gives the objects it creates (the documented `<cluster>-` prefixes). */
export function objectNames(draft: Pick<DcsClusterDraft, 'name' | 'workers'>) {
  return clusterObjectNames(draft, DCS_NAME_SUFFIXES);
}
