import { generateCrd } from '@immutable-infra/core';
import { describeDocumentedCrds } from '@immutable-infra/testkit/vitest';
import { dcsKinds } from '../src/api/index.js';

// Every field of the CRDs published with the product documentation exists in ours with the same
// type, so documented manifests fit. The comparison runs from the digest kept in fixtures (names,
// contract labels, field paths and types); the reference CRDs themselves stay outside the project,
// in ../shared beside a development checkout, where a second test checks the digest against them.
describeDocumentedCrds({
  platform: 'DCS',
  ours: dcsKinds.map((kind) => generateCrd(kind)),
  digestFile: new URL('./fixtures/documented-crds.json', import.meta.url),
  referenceDir: new URL('../../../../shared/reference/crds/huawei-dcs/', import.meta.url),
});
