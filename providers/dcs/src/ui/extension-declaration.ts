/**
 * The DCS provider's UI extensions, declared once: `npm run generate` writes
 * ui-extension.json from this declaration, and type-checking holds each
 * entry's export to its anchor's type, so the manifest cannot name an export
 * the bundle lacks or one written for another anchor.
 *
 * Build time only: the generate script imports it, the browser bundle and the
 * package's entries do not (the bundle is imported for its type alone).
 */
import { platformExtensions } from '@immutable-infra/ui-kit';
import type * as bundle from './extension.js';

export const dcsExtensions = platformExtensions<typeof bundle>({
  provider: 'dcs',
  title: 'Huawei DCS',
  pools: { listId: 'ip-pools', formId: 'ip-pool-form', list: 'ipPoolList', form: 'ipPoolForm' },
  capacityTitle: 'DCS IP pool capacity',
  more: [
    { anchor: 'cluster.detail.tab', id: 'dcs.machines', title: 'DCS Machines', export: 'machinesTab' },
    { anchor: 'node.columns', id: 'dcs.node-columns', title: 'DCS', export: 'nodeColumns' },
  ],
});
