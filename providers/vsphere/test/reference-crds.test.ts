import { generateCrd } from '@immutable-infra/core';
import { describeDocumentedCrds } from '@immutable-infra/testkit/vitest';
import { vsphereKinds } from '../src/api/index.js';

// Every documented vSphere CRD is ours too, and every field of it exists in ours with the same
// type, so documented manifests fit. The comparison runs from the digest kept in fixtures (taken
// from each CRD's stored version, v1beta1); the reference CRDs stay outside the project, in
// ../shared beside a development checkout, where a second test checks the digest against them.
describeDocumentedCrds({
  platform: 'vSphere',
  ours: vsphereKinds.map((kind) => generateCrd(kind)),
  digestFile: new URL('./fixtures/documented-crds.json', import.meta.url),
  referenceDir: new URL('../../../../shared/reference/crds/vmware-vsphere/', import.meta.url),
});
