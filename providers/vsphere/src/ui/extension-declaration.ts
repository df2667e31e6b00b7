/**
 * The vSphere provider's UI extensions, declared once: `npm run generate`
 * writes ui-extension.json from this declaration, and type-checking holds each
 * entry's export to its anchor's type, so the manifest cannot name an export
 * the bundle lacks or one written for another anchor.
 *
 * Build time only: the generate script imports it; the browser bundle and the
 * package's entries do not (the bundle is imported for its type alone).
 */
import { defineExtensions } from '@immutable-infra/core';
import type * as bundle from './extension.js';

const title = 'VMware vSphere';

export const vsphereExtensions = defineExtensions<typeof bundle>({
  provider: 'vsphere',
  anchorApi: '^1.1.0',
  bundle: 'dist/ui/extension.js',
  platformProxy: 'dist/ui/platform-proxy.js',
  extensions: [
    { anchor: 'credential.list', id: 'vsphere.credentials', title, export: 'credentialList' },
    { anchor: 'credential.form', id: 'vsphere.credential-form', title, export: 'credentialForm' },
    { anchor: 'ip-pool.list', id: 'vsphere.config-pools', title, export: 'configPoolList' },
    { anchor: 'ip-pool.form', id: 'vsphere.config-pool-form', title, export: 'configPoolForm' },
    {
      anchor: 'machine-template.list',
      id: 'vsphere.machine-templates',
      title,
      export: 'machineTemplateList',
    },
    {
      anchor: 'machine-template.form',
      id: 'vsphere.machine-template-form',
      title,
      export: 'machineTemplateForm',
    },
    { anchor: 'cluster.create', id: 'vsphere.create-cluster', title, export: 'createClusterWorkflow' },
    {
      anchor: 'node-pool.action',
      id: 'vsphere.node-pool-upgrade',
      title: 'Upgrade',
      export: 'nodePoolUpgrade',
    },
    {
      anchor: 'node-pool.capacity',
      id: 'vsphere.node-pool-capacity',
      title: 'vSphere config pool capacity',
      export: 'nodePoolCapacity',
    },
  ],
});
