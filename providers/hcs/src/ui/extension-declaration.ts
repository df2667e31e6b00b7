/**
 * The HCS provider's UI extensions, declared once: `npm run generate` writes
 * ui-extension.json from this declaration, and type-checking holds each
 * entry's export to its anchor's type, so the manifest cannot name an export
 * the bundle lacks or one written for another anchor.
 *
 * Build time only: the generate script imports it; the browser bundle and the
 * package's entries do not (the bundle is imported for its type alone).
 */
import { defineExtensions } from '@immutable-infra/core';
import type * as bundle from './extension.js';

const title = 'Huawei Cloud Stack';

export const hcsExtensions = defineExtensions<typeof bundle>({
  provider: 'hcs',
  anchorApi: '^1.1.0',
  bundle: 'dist/ui/extension.js',
  platformProxy: 'dist/ui/platform-proxy.js',
  extensions: [
    { anchor: 'credential.list', id: 'hcs.credentials', title, export: 'credentialList' },
    { anchor: 'credential.form', id: 'hcs.credential-form', title, export: 'credentialForm' },
    { anchor: 'ip-pool.list', id: 'hcs.config-pools', title, export: 'configPoolList' },
    { anchor: 'ip-pool.form', id: 'hcs.config-pool-form', title, export: 'configPoolForm' },
    { anchor: 'machine-template.list', id: 'hcs.machine-templates', title, export: 'machineTemplateList' },
    {
      anchor: 'machine-template.form',
      id: 'hcs.machine-template-form',
      title,
      export: 'machineTemplateForm',
    },
    { anchor: 'cluster.create', id: 'hcs.create-cluster', title, export: 'createClusterWorkflow' },
    { anchor: 'node-pool.action', id: 'hcs.node-pool-upgrade', title: 'Upgrade', export: 'nodePoolUpgrade' },
    {
      anchor: 'node-pool.capacity',
      id: 'hcs.node-pool-capacity',
      title: 'HCS config pool capacity',
      export: 'nodePoolCapacity',
    },
  ],
});
