/**
 * The DCS provider's UI extensions, declared once: `npm run generate` writes
 * ui-extension.json from this declaration, and type-checking holds each
 * entry's export to its anchor's type, so the manifest cannot name an export
 * the bundle lacks or one written for another anchor.
 *
 * Build time only: the generate script imports it, the browser bundle and the
 * package's entries do not (the bundle is imported for its type alone), so
 * `defineExtensions`, which older cores in our peer range lack, never runs
 * where the package is installed.
 */
import { defineExtensions } from '@immutable-infra/core';
import type * as bundle from './extension.js';

export const dcsExtensions = defineExtensions<typeof bundle>({
  provider: 'dcs',
  anchorApi: '^1.1.0',
  bundle: 'dist/ui/extension.js',
  platformProxy: 'dist/ui/platform-proxy.js',
  extensions: [
    { anchor: 'credential.list', id: 'dcs.credentials', title: 'Huawei DCS', export: 'credentialList' },
    { anchor: 'credential.form', id: 'dcs.credential-form', title: 'Huawei DCS', export: 'credentialForm' },
    { anchor: 'ip-pool.list', id: 'dcs.ip-pools', title: 'Huawei DCS', export: 'ipPoolList' },
    { anchor: 'ip-pool.form', id: 'dcs.ip-pool-form', title: 'Huawei DCS', export: 'ipPoolForm' },
    {
      anchor: 'machine-template.list',
      id: 'dcs.machine-templates',
      title: 'Huawei DCS',
      export: 'machineTemplateList',
    },
    {
      anchor: 'machine-template.form',
      id: 'dcs.machine-template-form',
      title: 'Huawei DCS',
      export: 'machineTemplateForm',
    },
    {
      anchor: 'cluster.create',
      id: 'dcs.create-cluster',
      title: 'Huawei DCS',
      export: 'createClusterWorkflow',
    },
    { anchor: 'cluster.detail.tab', id: 'dcs.machines', title: 'DCS Machines', export: 'machinesTab' },
    { anchor: 'node.columns', id: 'dcs.node-columns', title: 'DCS', export: 'nodeColumns' },
    { anchor: 'node-pool.action', id: 'dcs.node-pool-upgrade', title: 'Upgrade', export: 'nodePoolUpgrade' },
    {
      anchor: 'node-pool.capacity',
      id: 'dcs.node-pool-capacity',
      title: 'DCS IP pool capacity',
      export: 'nodePoolCapacity',
    },
  ],
});
