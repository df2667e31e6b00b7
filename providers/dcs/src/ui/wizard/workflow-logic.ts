import type { ClusterDraft, FieldProblem, KubernetesManifest, WorkflowContext } from '@immutable-infra/core';
import { toV1Beta2 } from './capi-v1beta2.js';
import { initialDraft, readDraft } from './draft.js';
import { type ClusterFacts, loadFacts } from './facts.js';
import { buildManifests } from './manifests.js';
import { validateDraft } from './validate.js';
import { draftWarnings } from './warnings.js';

/** The manifests in the API version the management cluster stores (see capi-v1beta2.ts). */
export function manifestsFor(draft: ClusterDraft, facts: ClusterFacts): KubernetesManifest[] {
  const manifests = buildManifests(readDraft(draft), facts);
  return facts.capiVersion === 'v1beta2' ? manifests.map(toV1Beta2) : manifests;
}

/** The workflow's data half: everything but the step modules, which need a DOM. */
export const workflowLogic = {
  initialDraft(_context: WorkflowContext): ClusterDraft {
    return { ...initialDraft() };
  },
  async validate(draft: ClusterDraft, context: WorkflowContext): Promise<readonly FieldProblem[]> {
    const d = readDraft(draft);
    return validateDraft(d, await loadFacts(context.api, context.namespace, d));
  },
  async manifests(draft: ClusterDraft, context: WorkflowContext): Promise<readonly KubernetesManifest[]> {
    return manifestsFor(draft, await loadFacts(context.api, context.namespace, readDraft(draft)));
  },
  async warnings(draft: ClusterDraft, context: WorkflowContext): Promise<readonly string[]> {
    const d = readDraft(draft);
    return draftWarnings(d, await loadFacts(context.api, context.namespace, d));
  },
};
