import { generateCrd } from '@immutable-infra/core';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { testCluster, testMachine, testMachineTemplate } from './fixtures/test-provider.ts';

export default createGlobalSetup({
  crdObjects: [testCluster, testMachine, testMachineTemplate].map(generateCrd),
});
