import { generateCrd } from '@immutable-infra/core';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import {
  otherKinds,
  testCluster,
  testIdentity,
  testMachine,
  testMachineTemplate,
} from './fixtures/test-provider.ts';

export default createGlobalSetup({
  crdObjects: [
    testCluster,
    testMachine,
    testMachineTemplate,
    otherKinds.cluster,
    otherKinds.machine,
    otherKinds.machineTemplate,
    testIdentity,
  ].map(generateCrd),
});
