import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { clusterStepCrds } from './test-cluster-kinds.ts';
import { ipamCrds, testPoolCrd } from './test-pool-kind.ts';

// The kit's tests need a few kinds with open schemas, not all of Cluster API.
export default createGlobalSetup({
  clusterApiCrds: false,
  crdObjects: [testPoolCrd, ...ipamCrds, ...clusterStepCrds],
});
