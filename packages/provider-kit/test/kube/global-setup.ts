import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { ipamCrds, testPoolCrd } from './test-pool-kind.ts';

// The claimable pool's and the address claims' tests need kinds with a status subresource, not all of Cluster API.
export default createGlobalSetup({ clusterApiCrds: false, crdObjects: [testPoolCrd, ...ipamCrds] });
