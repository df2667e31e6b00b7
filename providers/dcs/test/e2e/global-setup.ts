import { MANAGEMENT_CONTROLLERS } from '@immutable-infra/testkit';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { providerCrdFiles } from '../provider-crd-files.ts';

// A management cluster as Cluster API expects one: its garbage collector removes what a deleted
// cluster leaves to owner references. Service accounts' requests are audited: the manager runs as
// the Helm chart's ServiceAccount, and the suite holds what it called against what the chart grants.
export default createGlobalSetup({
  crdFiles: providerCrdFiles,
  controllers: MANAGEMENT_CONTROLLERS,
  auditServiceAccounts: true,
});
