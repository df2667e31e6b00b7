import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { elementalCrdFiles } from '@immutable-infra/baremetal-sim';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// Through the package's own name, so a scratch project that copies only the test folder installs
// the CRDs of the package it installed.
const crdDir = join(
  dirname(createRequire(import.meta.url).resolve('@immutable-infra/provider-baremetal/package.json')),
  'crds',
);

// The provider's CRDs and elemental's (MachineRegistration, SeedImage, MachineInventory, generated in
// tools/baremetal-sim from its schemas and shipped with it), which the simulated host fleet writes; the namespace controller, so a deleted namespace is emptied.
export default createGlobalSetup({
  crdFiles: [
    ...readdirSync(crdDir)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => join(crdDir, name)),
    ...elementalCrdFiles(),
  ],
  controllers: ['namespace'],
  // Service accounts' requests are audited: test/chart-permissions.test.ts runs the manager as the
  // Helm chart's ServiceAccount and holds what it called against what the chart grants.
  auditServiceAccounts: true,
});
