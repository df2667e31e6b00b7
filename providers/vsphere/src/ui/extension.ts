/**
 * The browser bundle of the vSphere extension: one named export per entry of
 * ui-extension.json. Everything it needs is bundled in; it shares nothing
 * with the host but the anchor contract.
 */
// First: it configures zod before the other modules build their schemas.
import '@immutable-infra/ui-kit/zod-without-eval';

export { createClusterWorkflow } from './cluster-create/steps.js';
export { configPoolForm } from './config-pools/pool-form.js';
export { configPoolList } from './config-pools/pool-list.js';
export { credentialForm } from './credentials/credential-form.js';
export { credentialList } from './credentials/credential-list.js';
export { machineTemplateForm } from './machine-templates/template-form.js';
export { machineTemplateList } from './machine-templates/template-list.js';
export { nodePoolCapacity } from './node-pool-capacity.js';
export { nodePoolUpgrade } from './upgrade/node-pool-upgrade.js';
