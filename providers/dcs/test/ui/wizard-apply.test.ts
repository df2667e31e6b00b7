import type { KubernetesManifest } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePlatformSessions } from '../../src/ui/platform-proxy.js';
import { loadFacts } from '../../src/ui/wizard/facts.js';
import { buildManifests } from '../../src/ui/wizard/manifests.js';
import { workflowLogic } from '../../src/ui/wizard/workflow-logic.js';
import { PASSWORD, type Simulator, startSimulator } from '../cloud/simulator.js';
import { kubernetesRequest, testHostApi } from './host-api.js';
import { collectionOf, SCENARIO_OBJECTS, scenarioDraft, seedScenario } from './wizard-scenario.js';

const kubeConfig = testKubeConfig();
let sim: Simulator;
let namespace: string;

beforeAll(async () => {
  sim = await startSimulator();
  namespace = await createTestNamespace(kubeConfig, 'wizard');
  await seedScenario(kubeConfig, namespace, sim.url, PASSWORD);
});
afterAll(async () => {
  await closePlatformSessions();
  await sim.close();
});

describe('the wizard against the real API server', () => {
  test('facts come from the API server and the platform; the scenario validates clean', async () => {
    const api = testHostApi(kubeConfig);
    const context = { namespace, api };
    const facts = await loadFacts(api, namespace, scenarioDraft());
    expect(facts.site).toEqual({ source: 'only-site', id: '3CD306E7' });
    expect(facts.capiVersion).toBe('v1beta2');
    expect(facts.credentials['dcs-auth']?.sort()).toEqual([
      'allowPlainHTTP',
      'authKey',
      'authUser',
      'endpoint',
    ]);
    expect(facts.pools.map((p) => [p.name, p.free])).toEqual([
      ['cp-pool', 3],
      ['worker-pool', 4],
    ]);
    expect(facts.versions.map((v) => v.kubernetesVersion).sort()).toEqual(['v1.34.3', 'v1.35.1']);
    expect(facts.globalCluster?.['cpaas.io/kube-ovn-version']).toBe('v1.14.2');
    expect(facts.filesSecretPresent).toBe(true);
    expect(await workflowLogic.validate({ ...scenarioDraft() }, context)).toEqual([]);
    expect(await workflowLogic.warnings({ ...scenarioDraft() }, context)).toEqual([]);
    // The key never reached anything the browser side sees.
    expect(JSON.stringify(facts)).not.toContain(PASSWORD);
  });

  test('the documented v1beta1 manifests pass strict validation of the v1beta1 schemas (dry run)', async () => {
    const api = testHostApi(kubeConfig);
    const manifests = buildManifests(scenarioDraft(), await loadFacts(api, namespace, scenarioDraft()));
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(SCENARIO_OBJECTS);
    for (const manifest of manifests)
      await kubernetesRequest(
        kubeConfig,
        'POST',
        `${collectionOf(manifest)}?dryRun=All&fieldValidation=Strict`,
        manifest,
      );
  });

  test('the manifests the review shows are created in order and read back exactly', async () => {
    const api = testHostApi(kubeConfig);
    const context = { namespace, api };
    const manifests = await workflowLogic.manifests({ ...scenarioDraft() }, context);
    expect(
      manifests.every(
        (m) => !m.apiVersion.startsWith('cluster.x-k8s.io/') || m.apiVersion.endsWith('/v1beta2'),
      ),
    ).toBe(true);
    for (const manifest of manifests)
      await kubernetesRequest(
        kubeConfig,
        'POST',
        `${collectionOf(manifest)}?dryRun=All&fieldValidation=Strict`,
        manifest,
      );
    // Nothing was created by the dry run.
    expect(await workflowLogic.validate({ ...scenarioDraft() }, context)).toEqual([]);
    for (const manifest of manifests)
      await kubernetesRequest(
        kubeConfig,
        'POST',
        `${collectionOf(manifest)}?fieldValidation=Strict`,
        manifest,
      );
    for (const manifest of manifests) {
      const stored = await kubernetesRequest<KubernetesManifest>(
        kubeConfig,
        'GET',
        `${collectionOf(manifest)}/${manifest.metadata.name}`,
      );
      const { metadata, ...rest } = stored;
      expect({
        ...rest,
        metadata: {
          name: metadata.name,
          namespace: metadata.namespace,
          labels: metadata.labels,
          annotations: metadata.annotations,
        },
      }).toEqual({
        ...manifest,
        metadata: { labels: undefined, annotations: undefined, ...manifest.metadata },
      });
    }
    // Once created, the same draft is refused: the names are taken.
    const problems = await workflowLogic.validate({ ...scenarioDraft() }, context);
    expect(problems.map((p) => p.field)).toEqual(['name', 'workers.0.name']);
  });
});
