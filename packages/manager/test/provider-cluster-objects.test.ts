import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, expect, it } from 'vitest';
import { applyClusterObjects } from '../src/registry/provider-install.js';
import { objectClient } from './support/capi-objects.ts';

// What `iinfra provider install` applies from a package's cluster-objects/ (the provider kit writes
// it from the list the chart and the clusterctl components carry): a ValidatingAdmissionPolicy and
// its binding, as the bare-metal provider ships them.
const dir = mkdtempSync(join(tmpdir(), 'iinfra-cluster-objects-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const name = `iinfra-test-${process.pid}`;
const policy = (message: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: ['']
        apiVersions: [v1]
        operations: [CREATE]
        resources: [configmaps]
  validations:
    - expression: "!has(object.data) || !('forbidden' in object.data)"
      message: ${message}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ${name}
spec:
  policyName: ${name}
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: ${name}
`;

it('applies the cluster-scoped objects a package ships, and replaces them on a second install', async () => {
  const client = objectClient(testKubeConfig());
  const file = join(dir, 'cluster-objects.yaml');
  writeFileSync(file, policy('first'));
  expect(await applyClusterObjects(client, file)).toEqual([
    `ValidatingAdmissionPolicy/${name}`,
    `ValidatingAdmissionPolicyBinding/${name}`,
  ]);
  writeFileSync(file, policy('second'));
  await applyClusterObjects(client, file);
  const read = await client.get<{ spec: { validations: { message: string }[] } }>({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    name,
  });
  expect(read?.spec.validations[0]?.message).toBe('second');
  for (const kind of ['ValidatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicy'])
    await client.delete({ apiVersion: 'admissionregistration.k8s.io/v1', kind, name });
});

it('has nothing to apply for a package without cluster objects', async () => {
  expect(await applyClusterObjects(objectClient(testKubeConfig()), join(dir, 'missing.yaml'))).toEqual([]);
});

it('refuses an object that names a namespace, naming it', async () => {
  const file = join(dir, 'namespaced.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n  namespace: default\n');
  await expect(applyClusterObjects(objectClient(testKubeConfig()), file)).rejects.toThrow(
    'ConfigMap/stray names a namespace; cluster objects have none',
  );
});
