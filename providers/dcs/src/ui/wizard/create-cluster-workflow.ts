import type { StrictAnchorExport } from '@immutable-infra/core';
import { basicInfoStep } from './steps/basic-info-step.js';
import { controlPlaneStep } from './steps/control-plane-step.js';
import { networkingStep } from './steps/networking-step.js';
import { workerPoolsStep } from './steps/worker-pools-step.js';
import { workflowLogic } from './workflow-logic.js';

/** The documented 5-step wizard: these four steps, then the host's review of manifests and warnings. */
export const createClusterWorkflow = {
  steps: [basicInfoStep, controlPlaneStep, workerPoolsStep, networkingStep],
  ...workflowLogic,
} satisfies StrictAnchorExport<'cluster.create'>;
