import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// One real kube-apiserver for the run: the rendered charts are applied to it.
export default createGlobalSetup();
