#!/usr/bin/env node
// Copies the README's screenshots from the browser tests' artifacts into docs/screenshots/. The
// pictures are what the tests saw in Debian's chromium (each named below with the test that takes
// it), so refreshing them is: run those tests, then this.
//   node tools/browser/refresh-screenshots.mjs [--check]
// --check exits 1 when an artifact is missing instead of copying.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const target = join(root, 'docs', 'screenshots');

/** README name -> [artifact, the test that takes it]. */
const SHOTS = {
  'clusters.png': [
    'packages/fleet-essentials/test-artifacts/cluster-list.png',
    'packages/fleet-essentials/test/browser.test.ts',
  ],
  'node-pools.png': [
    'packages/fleet-essentials/test-artifacts/node-pools.png',
    'packages/fleet-essentials/test/browser.test.ts',
  ],
  'upgrade.png': [
    'packages/fleet-essentials/test-artifacts/anchors-upgrade-rollout.png',
    'packages/fleet-essentials/test/anchors.browser.test.ts',
  ],
  'events.png': [
    'packages/fleet-essentials/test-artifacts/cluster-events.png',
    'packages/fleet-essentials/test/browser.test.ts',
  ],
  'health-checks.png': [
    'packages/fleet-essentials/test-artifacts/health-checks.png',
    'packages/fleet-essentials/test/browser.test.ts',
  ],
  'hcs-create-review.png': [
    'providers/hcs/test-artifacts/hcs-fleet-create-2-review.png',
    'providers/hcs/test/fleet/create-cluster.browser.test.ts',
  ],
  'hcs-machine-template.png': [
    'providers/hcs/test-artifacts/hcs-fleet-machine-template-dropdowns.png',
    'providers/hcs/test/fleet/infrastructure-forms.browser.test.ts',
  ],
  'vsphere-upgrade.png': [
    'providers/vsphere/test-artifacts/vsphere-fleet-upgrade-control-plane-started.png',
    'providers/vsphere/test/fleet/node-pool-upgrade.browser.test.ts',
  ],
};

const check = process.argv.includes('--check');
const missing = Object.entries(SHOTS).filter(([, [artifact]]) => !existsSync(join(root, artifact)));
if (missing.length > 0) {
  for (const [name, [artifact, test]] of missing)
    console.error(`screenshots: ${name}: ${artifact} is missing; run ${test} first`);
  process.exit(1);
}
if (check) process.exit(0);
mkdirSync(target, { recursive: true });
for (const [name, [artifact]] of Object.entries(SHOTS))
  copyFileSync(join(root, artifact), join(target, name));
console.log(`screenshots: ${Object.keys(SHOTS).length} copied to docs/screenshots/`);
