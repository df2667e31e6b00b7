import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { testPoolCrd } from './test-pool-kind.ts';

// The claimable pool's tests need a kind with a status subresource; Cluster API's CRDs are not needed.
export default createGlobalSetup({ clusterApiCrds: false, crdObjects: [testPoolCrd] });
