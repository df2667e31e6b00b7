import { MANAGEMENT_CONTROLLERS } from '@immutable-infra/testkit';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// A management cluster as Cluster API expects one (its garbage collector), with Cluster API's CRDs and
// none of the provider's: the installers under test (the previous release's, then Helm) put those in.
export default createGlobalSetup({ controllers: MANAGEMENT_CONTROLLERS });
