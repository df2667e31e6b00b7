/**
 * The vSphere provider's UI extensions, declared once: `npm run generate`
 * writes ui-extension.json from this declaration, and type-checking holds each
 * entry's export to its anchor's type, so the manifest cannot name an export
 * the bundle lacks or one written for another anchor.
 *
 * Build time only: the generate script imports it; the browser bundle and the
 * package's entries do not (the bundle is imported for its type alone).
 */
import { platformExtensions } from '@immutable-infra/ui-kit';
import type * as bundle from './extension.js';

export const vsphereExtensions = platformExtensions<typeof bundle>({
  provider: 'vsphere',
  title: 'VMware vSphere',
  pools: {
    listId: 'config-pools',
    formId: 'config-pool-form',
    list: 'configPoolList',
    form: 'configPoolForm',
  },
  capacityTitle: 'vSphere config pool capacity',
});
