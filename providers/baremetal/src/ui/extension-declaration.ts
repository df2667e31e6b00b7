/**
 * The bare-metal provider's UI extensions, declared once: `npm run generate`
 * writes ui-extension.json from this declaration, and type-checking holds each
 * entry's export to its anchor's type. No platform proxy: bare metal has no
 * platform credentials, only Kubernetes objects the user reads as themself.
 *
 * Build time only: the generate script imports it; the browser bundle and the
 * package's entries do not (the bundle is imported for its type alone).
 */
import { platformExtensions } from '@immutable-infra/ui-kit';
import type * as bundle from './extension.js';

export const baremetalExtensions = platformExtensions<typeof bundle>({
  provider: 'baremetal',
  title: 'Bare Metal',
  credentials: false,
  // The host's pools page: bare metal's pools are pools of registered hosts (with the hosts and the image catalog).
  pools: {
    listId: 'inventory',
    formId: 'inventory-pool-form',
    list: 'inventoryPoolList',
    form: 'inventoryPoolForm',
  },
  capacityTitle: 'Bare Metal host capacity',
});
