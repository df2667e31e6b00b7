import { generateCrd } from '@immutable-infra/core';
import { describeDocumentedCrds } from '@immutable-infra/testkit/vitest';
import { baremetalKinds } from '../src/api/index.js';

// Every documented bare-metal infrastructure CRD is ours too, and every field of it exists in ours
// with the same type, so documented manifests fit. The comparison runs from the digest kept in
// fixtures; the reference CRDs stay outside the project (../shared beside a development checkout),
// where a second test checks the digest against them. The elemental kinds are elemental-operator's,
// written down in tools/baremetal-sim and held to the reference there (test/elemental-crds.test.ts).
describeDocumentedCrds({
  platform: 'bare metal',
  ours: baremetalKinds.map((kind) => generateCrd(kind)),
  digestFile: new URL('./fixtures/documented-crds.json', import.meta.url),
  referenceDir: new URL('../../../../shared/reference/crds/bare-metal/', import.meta.url),
  kinds: ['BaremetalCluster', 'BaremetalMachine', 'BaremetalMachineTemplate', 'MachineInventoryPool'],
});
