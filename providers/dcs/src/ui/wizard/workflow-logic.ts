import { clusterWorkflowLogic } from '@immutable-infra/ui-kit';
import { initialDraft, readDraft } from './draft.js';
import { loadFacts } from './facts.js';
import { buildManifests } from './manifests.js';
import { validateDraft } from './validate.js';
import { draftWarnings } from './warnings.js';

const workflow = clusterWorkflowLogic({ initialDraft, readDraft }, loadFacts, {
  validateDraft,
  buildManifests,
  draftWarnings,
});

/** The manifests in the API version the management cluster stores. */
export const manifestsFor = workflow.manifestsFor;
/** The workflow's data half: everything but the step modules, which need a DOM. */
export const workflowLogic = workflow.logic;
