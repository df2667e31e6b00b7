import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { elementalCrdFiles } from '@immutable-infra/baremetal-sim';
import { MANAGEMENT_CONTROLLERS } from '@immutable-infra/testkit';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

const crdDir = fileURLToPath(new URL('../../crds/', import.meta.url));

// A management cluster as Cluster API expects one (its garbage collector removes what a deleted
// cluster leaves to owner references), with the provider's CRDs and elemental's, which the simulated
// host fleet writes. Service accounts' requests are audited: the manager runs as the Helm chart's
// ServiceAccount, and the suite holds what it called against what the chart grants.
export default createGlobalSetup({
  auditServiceAccounts: true,
  crdFiles: [
    ...readdirSync(crdDir)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => join(crdDir, name)),
    ...elementalCrdFiles(),
  ],
  controllers: MANAGEMENT_CONTROLLERS,
});
