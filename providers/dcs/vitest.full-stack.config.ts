import { e2eTestOptions } from '@immutable-infra/testkit/e2e-config';
import { defineConfig } from 'vitest/config';

// The full-stack benchmark's run (tools/bench/full-stack.ts): the end-to-end suite's set-up, one
// file that is not part of it (nor of the test command).
export default defineConfig({ test: { ...e2eTestOptions, include: ['test/e2e/full-stack.run.ts'] } });
