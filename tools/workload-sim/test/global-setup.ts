import { testInfrastructureCrds } from '@immutable-infra/testkit';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

export default createGlobalSetup({ crdObjects: testInfrastructureCrds() });
