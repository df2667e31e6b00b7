import type { StrictAnchorExport } from '@immutable-infra/core';
import { sharedClusterSteps } from '@immutable-infra/ui-kit';
import { basicInfoStep } from './steps/basic-info-step.js';
import { dcsSteps } from './steps/step-context.js';
import { workflowLogic } from './workflow-logic.js';

/** The documented 5-step wizard: basic info and the kit's three shared steps, then the host's review of manifests and warnings. */
export const createClusterWorkflow = {
  steps: [basicInfoStep, ...sharedClusterSteps(dcsSteps)],
  ...workflowLogic,
} satisfies StrictAnchorExport<'cluster.create'>;
