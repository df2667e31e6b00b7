import { e2eTestOptions } from '@immutable-infra/testkit/e2e-config';
import { defineConfig } from 'vitest/config';

// The end-to-end suite (turbo task test:e2e): the real Cluster API controllers, the simulated host
// fleet (baremetal-sim, playing elemental) and the workload-cluster simulator.
export default defineConfig({ test: e2eTestOptions });
