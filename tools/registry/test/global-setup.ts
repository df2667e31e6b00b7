import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// Cluster API's CRDs (with clusterctl's inventory) in a real API server: where providers get installed.
export default createGlobalSetup({ clusterApiCrds: true });
