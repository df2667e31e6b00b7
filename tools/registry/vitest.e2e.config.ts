import { e2eTestOptions } from '@immutable-infra/testkit/e2e-config';
import { defineConfig } from 'vitest/config';

// The end-to-end suite (turbo task test:e2e): a provider upgraded in place under a running cluster,
// with the real Cluster API controllers, the DCS simulator and the workload-cluster simulator.
export default defineConfig({ test: e2eTestOptions });
