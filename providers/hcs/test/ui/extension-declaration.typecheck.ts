/**
 * Checked by `npm run typecheck`, never run: each entry below names an export
 * that does not serve its anchor, and `@ts-expect-error` requires tsc to
 * refuse it. Should the declaration's checking ever stop catching one, the
 * directive is unused and typecheck fails.
 */
import { defineExtensions } from '@immutable-infra/core';
import type * as bundle from '../../src/ui/extension.js';

const frame = { provider: 'hcs', anchorApi: '^1.0.0', bundle: 'dist/ui/extension.js' } as const;

defineExtensions<typeof bundle>({
  ...frame,
  extensions: [
    // @ts-expect-error a list is not a form: the form's props carry onSaved() and onCancel()
    { anchor: 'machine-template.form', id: 'hcs.form', title: 'HCS', export: 'machineTemplateList' },
    // @ts-expect-error no such export in the bundle (it is configPoolList)
    { anchor: 'ip-pool.list', id: 'hcs.pools', title: 'HCS', export: 'machineConfigPoolList' },
    // @ts-expect-error a form is not a list: a list's props carry create() and edit(), no onSaved()
    { anchor: 'credential.list', id: 'hcs.list', title: 'HCS', export: 'credentialForm' },
  ],
});
