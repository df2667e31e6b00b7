/**
 * Checked by `npm run typecheck`, never run: each entry below names an export
 * that does not serve its anchor, and `@ts-expect-error` requires tsc to
 * refuse it. Should the declaration's checking ever stop catching one, the
 * directive is unused and typecheck fails.
 */
import { defineExtensions } from '@immutable-infra/core';
import type * as bundle from '../../src/ui/extension.js';

defineExtensions<typeof bundle>({
  provider: 'dcs',
  anchorApi: '^1.0.0',
  bundle: 'dist/ui/extension.js',
  extensions: [
    // @ts-expect-error the wizard's workflow is data, not a mountable credential list
    {
      anchor: 'credential.list',
      id: 'dcs.credentials',
      title: 'Huawei DCS',
      export: 'createClusterWorkflow',
    },
    // @ts-expect-error the node pool upgrade needs a node pool's props, which a cluster tab does not get
    { anchor: 'cluster.detail.tab', id: 'dcs.machines', title: 'DCS', export: 'nodePoolUpgrade' },
    // @ts-expect-error a list is not a form: the form's props carry no create() or edit()
    { anchor: 'ip-pool.form', id: 'dcs.ip-pool-form', title: 'Huawei DCS', export: 'ipPoolList' },
    // @ts-expect-error no such export in the bundle
    { anchor: 'node.columns', id: 'dcs.node-columns', title: 'DCS', export: 'nodeColumn' },
  ],
});
