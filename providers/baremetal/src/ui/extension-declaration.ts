/**
 * The bare-metal provider's UI extensions, declared once: `npm run generate`
 * writes ui-extension.json from this declaration, and type-checking holds each
 * entry's export to its anchor's type. No platform proxy: bare metal has no
 * platform credentials, only Kubernetes objects the user reads as themself.
 *
 * Build time only: the generate script imports it; the browser bundle and the
 * package's entries do not (the bundle is imported for its type alone).
 */
import { defineExtensions } from '@immutable-infra/core';
import type * as bundle from './extension.js';

const title = 'Bare Metal';

export const baremetalExtensions = defineExtensions<typeof bundle>({
  provider: 'baremetal',
  anchorApi: '^1.1.0',
  bundle: 'dist/ui/extension.js',
  extensions: [
    // The host's pools page: bare metal's pools are pools of registered hosts (with the hosts and the image catalog).
    { anchor: 'ip-pool.list', id: 'baremetal.inventory', title, export: 'inventoryPoolList' },
    { anchor: 'ip-pool.form', id: 'baremetal.inventory-pool-form', title, export: 'inventoryPoolForm' },
    {
      anchor: 'machine-template.list',
      id: 'baremetal.machine-templates',
      title,
      export: 'machineTemplateList',
    },
    {
      anchor: 'machine-template.form',
      id: 'baremetal.machine-template-form',
      title,
      export: 'machineTemplateForm',
    },
    { anchor: 'cluster.create', id: 'baremetal.create-cluster', title, export: 'createClusterWorkflow' },
    {
      anchor: 'node-pool.action',
      id: 'baremetal.node-pool-upgrade',
      title: 'Upgrade',
      export: 'nodePoolUpgrade',
    },
    {
      anchor: 'node-pool.capacity',
      id: 'baremetal.node-pool-capacity',
      title: 'Bare Metal host capacity',
      export: 'nodePoolCapacity',
    },
  ],
});
