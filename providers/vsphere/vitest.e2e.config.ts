import { e2eTestOptions } from '@immutable-infra/testkit/e2e-config';
import { defineConfig } from 'vitest/config';

// The end-to-end suite (turbo task test:e2e): the real Cluster API controllers, the
// vCenter simulator (vcsim) and the workload-cluster simulator.
export default defineConfig({ test: e2eTestOptions });
