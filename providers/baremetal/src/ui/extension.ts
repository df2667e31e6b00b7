/**
 * The browser bundle of the bare-metal extension: one named export per entry
 * of ui-extension.json. Everything it needs is bundled in; it shares nothing
 * with the host but the anchor contract. Bare metal has no platform
 * credentials and no platform proxy: every read and write is a Kubernetes
 * request as the signed-in user.
 */
// First: it configures zod before the other modules build their schemas.
import '@immutable-infra/ui-kit/zod-without-eval';

export { createClusterWorkflow } from './cluster-create/steps.js';
export { inventoryPoolList } from './inventory/inventory-page.js';
export { machineTemplateForm } from './machine-templates/template-form.js';
export { machineTemplateList } from './machine-templates/template-list.js';
export { nodePoolCapacity } from './node-pool-capacity.js';
export { inventoryPoolForm } from './pools/pool-form.js';
export { nodePoolUpgrade } from './upgrade/node-pool-upgrade.js';
