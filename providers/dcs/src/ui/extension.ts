/**
 * The browser bundle of the DCS extension: one named export per entry of
 * ui-extension.json. Everything it needs is bundled in; it shares nothing
 * with the host but the anchor contract.
 */
// First: it configures zod before the other modules build their schemas.
import '@immutable-infra/ui-kit/zod-without-eval';

export { machinesTab } from './cluster/machines-tab.js';
export { nodeColumns } from './cluster/node-columns.js';
export { credentialForm } from './credentials/credential-form.js';
export { credentialList } from './credentials/credential-list.js';
export { ipPoolForm } from './ip-pool/ip-pool-form.js';
export { ipPoolList } from './ip-pool/ip-pool-list.js';
export { machineTemplateForm } from './machine-templates/template-form.js';
export { machineTemplateList } from './machine-templates/template-list.js';
export { nodePoolCapacity } from './node-pool-capacity.js';
export { nodePoolUpgrade } from './upgrade/node-pool-upgrade.js';
export { createClusterWorkflow } from './wizard/create-cluster-workflow.js';
