import { readFileSync } from 'node:fs';
import { toV1Beta2 } from '@immutable-infra/ui-kit';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildManifests } from '../../src/ui/wizard/manifests.js';
import { manifestsFor } from '../../src/ui/wizard/workflow-logic.js';
import { scenarioDraft, scenarioFacts } from './wizard-scenario.js';

const documented = parseAllDocuments(
  readFileSync(new URL('fixtures/documented-cluster.yaml', import.meta.url), 'utf8').replaceAll(
    'NAMESPACE',
    'cpaas-system',
  ),
).map((doc) => doc.toJSON() as Record<string, unknown>);

/** Drops the cluster-name label the wizard adds to every object but the Cluster (not in the documented manifests). */
function withoutClusterLabel<T extends { kind: string; metadata: { labels?: Record<string, string> } }>(
  manifest: T,
): T {
  if (manifest.kind === 'Cluster') return manifest;
  const { 'cluster.x-k8s.io/cluster-name': _label, ...labels } = manifest.metadata.labels ?? {};
  const metadata = { ...manifest.metadata, labels };
  if (Object.keys(labels).length === 0) delete (metadata as { labels?: unknown }).labels;
  return { ...manifest, metadata };
}

describe('the documented manifests', () => {
  test('match the documentation field by field, in creation order', () => {
    const manifests = buildManifests(scenarioDraft(), scenarioFacts({ capiVersion: 'v1beta1' }));
    expect(manifests.map(withoutClusterLabel)).toEqual(documented);
  });

  test('a site named by the credential Secret is left to the controller', () => {
    const [dcsCluster] = buildManifests(scenarioDraft(), scenarioFacts({ site: { source: 'credential' } }));
    expect(dcsCluster?.spec).not.toHaveProperty('site');
  });

  test('every object but the Cluster carries the cluster-name label', () => {
    const manifests = buildManifests(scenarioDraft(), scenarioFacts());
    for (const m of manifests.filter((m) => m.kind !== 'Cluster'))
      expect(m.metadata.labels?.['cluster.x-k8s.io/cluster-name'], m.kind).toBe('demo');
  });

  test('v1beta1 when the management cluster prefers it, v1beta2 otherwise', () => {
    const v1 = manifestsFor({ ...scenarioDraft() }, scenarioFacts({ capiVersion: 'v1beta1' }));
    expect(v1.map((m) => m.apiVersion)).toEqual(documented.map((m) => m.apiVersion));
    const v2 = manifestsFor({ ...scenarioDraft() }, scenarioFacts());
    expect(v2.map((m) => m.apiVersion)).toEqual([
      'infrastructure.cluster.x-k8s.io/v1beta1',
      'infrastructure.cluster.x-k8s.io/v1beta1',
      'controlplane.cluster.x-k8s.io/v1beta2',
      'infrastructure.cluster.x-k8s.io/v1beta1',
      'cluster.x-k8s.io/v1beta2',
      'bootstrap.cluster.x-k8s.io/v1beta2',
      'cluster.x-k8s.io/v1beta2',
    ]);
  });

  test('the v1beta2 form is the same content in v1beta2 fields', () => {
    const [, , kcp, , md, kct, cluster] = buildManifests(scenarioDraft(), scenarioFacts()).map(toV1Beta2);
    expect(cluster?.spec).toMatchObject({
      controlPlaneRef: {
        apiGroup: 'controlplane.cluster.x-k8s.io',
        kind: 'KubeadmControlPlane',
        name: 'demo-kcp',
      },
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'DCSCluster', name: 'demo' },
    });
    expect(kcp?.spec).toMatchObject({
      rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } } },
      machineTemplate: {
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'DCSMachineTemplate',
            name: 'demo-cp-template',
          },
          deletion: { nodeDrainTimeoutSeconds: 60, nodeDeletionTimeoutSeconds: 300 },
        },
      },
    });
    const join = JSON.stringify(kcp?.spec).match(/"joinConfiguration":.*?"kubeletExtraArgs":(\[.*?\])/)?.[1];
    expect(JSON.parse(join ?? 'null')).toEqual([
      { name: 'node-ip', value: 'NODE_IP' },
      { name: 'node-labels', value: 'kube-ovn/role=master' },
      { name: 'protect-kernel-defaults', value: 'true' },
      { name: 'provider-id', value: 'PROVIDER_ID' },
      { name: 'volume-plugin-dir', value: '/opt/libexec/kubernetes/kubelet-plugins/volume/exec/' },
    ]);
    expect(md?.spec).toMatchObject({
      rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
      template: {
        spec: {
          bootstrap: {
            configRef: {
              apiGroup: 'bootstrap.cluster.x-k8s.io',
              kind: 'KubeadmConfigTemplate',
              name: 'demo-worker-1-kct',
            },
          },
          deletion: { nodeDrainTimeoutSeconds: 60, nodeDeletionTimeoutSeconds: 300 },
        },
      },
    });
    expect(JSON.stringify(kct)).toContain('{"name":"node-ip","value":"NODE_IP"}');
  });
});
