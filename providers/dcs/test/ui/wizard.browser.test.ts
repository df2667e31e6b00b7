import type { CreateClusterWorkflow, FieldProblem, HostApi, KubernetesManifest } from '@immutable-infra/core';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePlatformSessions } from '../../src/ui/platform-proxy.js';
import { PASSWORD, type Simulator, startSimulator } from '../cloud/simulator.js';
import { ExtensionPage } from './browser-page.js';
import { kubernetesRequest } from './host-api.js';
import {
  collectionOf,
  MANIFEST_PLURALS,
  SCENARIO_OBJECTS,
  SSH_KEY,
  seedScenario,
} from './wizard-scenario.js';

const kubeConfig = testKubeConfig();
let sim: Simulator;
let harness: ExtensionPage;
let namespace: string;

interface WizardWindow {
  wizard: {
    titles(): string[];
    draft(): unknown;
    show(index: number): void;
    next(index: number): Promise<{ all: readonly FieldProblem[]; mine: readonly FieldProblem[] }>;
    review(): Promise<{ manifests: readonly KubernetesManifest[]; warnings: readonly string[] }>;
    create(manifests: readonly KubernetesManifest[]): Promise<void>;
  };
}

/** A few lines of host: the draft, the step's problems listener, validate on "next", as Fleet Essentials does. */
async function startWizard() {
  await harness.page.evaluate(
    ({ ns, plurals }) => {
      const w = window as unknown as {
        extension: { createClusterWorkflow: CreateClusterWorkflow };
        hostApi: HostApi;
        wizard: WizardWindow['wizard'];
      };
      const workflow = w.extension.createClusterWorkflow;
      const context = { namespace: ns, api: w.hostApi };
      let draft = workflow.initialDraft(context);
      let listeners: ((p: readonly FieldProblem[]) => void)[] = [];
      // Like Fleet Essentials, problems found before are handed to a step's listener as soon as it registers.
      const known = new Map<number, readonly FieldProblem[]>();
      let unmount: (() => void) | undefined;
      w.wizard = {
        titles: () => workflow.steps.map((s: { title: string }) => s.title),
        draft: () => draft,
        show(index: number) {
          unmount?.();
          listeners = [];
          unmount = workflow.steps[index]?.mount(document.getElementById('app') as never, {
            namespace: ns,
            api: w.hostApi,
            draft,
            update: (patch: object) => {
              draft = { ...draft, ...patch };
            },
            onProblems: (listener: (p: readonly FieldProblem[]) => void) => {
              listeners.push(listener);
              const before = known.get(index);
              if (before && before.length > 0) listener(before);
              return () => {
                listeners = listeners.filter((l) => l !== listener);
              };
            },
          });
        },
        async next(index: number) {
          const problems = await workflow.validate(draft, context);
          const mine = problems.filter((p) => p.step === workflow.steps[index]?.id);
          known.set(index, mine);
          for (const listener of listeners) listener(mine);
          return { all: problems, mine };
        },
        review: async () => ({
          manifests: await workflow.manifests(draft, context),
          warnings: (await workflow.warnings?.(draft, context)) ?? [],
        }),
        async create(manifests: KubernetesManifest[]) {
          for (const m of manifests)
            await w.hostApi.kubernetes({
              method: 'POST',
              path: `/apis/${m.apiVersion}/namespaces/${m.metadata.namespace}/${plurals[m.kind]}`,
              body: m,
            });
        },
      };
    },
    { ns: namespace, plurals: MANIFEST_PLURALS },
  );
}

const next = (index: number) =>
  harness.page.evaluate((i) => (window as unknown as WizardWindow).wizard.next(i), index) as Promise<{
    all: { field: string; message: string; step: string }[];
    mine: { field: string; message: string }[];
  }>;
const show = async (index: number) => {
  await harness.page.evaluate((i) => (window as unknown as WizardWindow).wizard.show(i), index);
};
const screenshot = (name: string) => harness.screenshot(`wizard-${name}`);
const clusters = async () =>
  (
    await kubernetesRequest<{ items: unknown[] }>(
      kubeConfig,
      'GET',
      `/apis/cluster.x-k8s.io/v1beta2/namespaces/${namespace}/clusters`,
    )
  ).items.length;

beforeAll(async () => {
  sim = await startSimulator();
  namespace = await createTestNamespace(kubeConfig, 'wizard-ui');
  await seedScenario(kubeConfig, namespace, sim.url, PASSWORD);
  harness = await ExtensionPage.open(kubeConfig);
  await startWizard();
});
afterAll(async () => {
  await harness?.close();
  await closePlatformSessions();
  await sim?.close();
});

describe('the create-cluster wizard in a browser', () => {
  test('the documented steps; each rule shows its error next to the field; the review creates exactly what it showed', async () => {
    const page = harness.page;
    expect(await page.evaluate(() => (window as unknown as WizardWindow).wizard.titles())).toEqual([
      'Basic Info',
      'Control Plane Node Pool',
      'Worker Node Pools',
      'Networking',
    ]);
    const seeded = await clusters(); // the global Cluster

    // Step 1: basic info. The Kubernetes version is the newest the ConfigMaps offer, read-only.
    await show(0);
    await page.waitForSelector('[data-field="credential"] option[value="dcs-auth"]', { state: 'attached' });
    await page.waitForFunction(
      () => (document.querySelector('[data-field="kubernetesVersion"]') as HTMLInputElement).value !== '',
    );
    expect(await page.inputValue('[data-field="kubernetesVersion"]')).toBe('v1.35.1');
    expect(await page.getAttribute('[data-field="kubernetesVersion"]', 'readonly')).not.toBeNull();
    await page.fill('[data-field="name"]', 'global');
    await page.fill('[data-field="apiServerAddress"]', '192.0.2.100:6443');
    let problems = await next(0);
    expect(await harness.errorFor('credential')).toBe('choose a cloud credential');
    expect(await harness.errorFor('name')).toBe('global is the name of the global cluster and is reserved');
    expect(await harness.errorFor('apiServerAddress')).toBe(
      'must look like https://<load-balancer-address>:6443',
    );
    expect(problems.mine).toHaveLength(3);
    // Coming back to the step (the host mounts it again) shows the problems found before.
    await show(0);
    expect(await harness.errorFor('name')).toBe('global is the name of the global cluster and is reserved');
    await page.fill('[data-field="name"]', 'global');
    await page.fill('[data-field="apiServerAddress"]', '192.0.2.100:6443');
    await screenshot('1-basic-info-errors');
    await page.selectOption('[data-field="credential"]', 'dcs-auth');
    await page.fill('[data-field="name"]', 'demo');
    await page.fill('[data-field="displayName"]', 'Demo cluster');
    await page.fill('[data-field="apiServerAddress"]', 'https://192.0.2.100:6443');
    expect((await next(0)).mine).toEqual([]);
    expect(await harness.errorFor('name')).toBe('');
    await screenshot('1-basic-info');

    // Step 2: control plane. Only control plane templates of Kubernetes 1.35 are offered.
    await show(1);
    await page.waitForSelector('[data-field="controlPlane.machineTemplate"] option[value="cp-135"]', {
      state: 'attached',
    });
    expect(
      await page.locator('[data-field="controlPlane.machineTemplate"] option[value="worker-135"]').count(),
    ).toBe(0);
    expect(await page.inputValue('[data-field="controlPlane.replicas"]')).toBe('3');
    await page.fill('[data-field="controlPlane.sshAuthorizedKeys"]', 'not-a-key');
    problems = await next(1);
    expect(await harness.errorFor('controlPlane.machineTemplate')).toBe('choose a machine template');
    expect(await harness.errorFor('controlPlane.sshAuthorizedKeys')).toMatch(/OpenSSH public key/);
    await page.selectOption('[data-field="controlPlane.machineTemplate"]', 'cp-135');
    await page.fill('[data-field="controlPlane.sshAuthorizedKeys"]', SSH_KEY);
    expect((await next(1)).mine).toEqual([]);
    await screenshot('2-control-plane');

    // Step 3: worker pools: capacity, maxSurge/maxUnavailable, unique names.
    await show(2);
    await page.waitForSelector('[data-field="workers.0.machineTemplate"] option[value="worker-135"]', {
      state: 'attached',
    });
    expect(await page.inputValue('[data-field="workers.0.name"]')).toBe('demo-worker-1');
    await page.selectOption('[data-field="workers.0.machineTemplate"]', 'worker-135');
    await page.fill('[data-field="workers.0.replicas"]', '5');
    await page.fill('[data-field="workers.0.maxUnavailable"]', '0');
    await page.click('[data-action="add-pool"]');
    await page.fill('[data-field="workers.1.name"]', 'demo-worker-1');
    await page.selectOption('[data-field="workers.1.machineTemplate"]', 'worker-135');
    await page.fill('[data-field="workers.1.replicas"]', '1');
    await page.fill('[data-field="workers.1.maxSurge"]', '-1');
    await next(2);
    await show(2); // mounted again: the errors survive the step building its pools after the templates load
    await page.waitForSelector('[data-field="workers.1.machineTemplate"] option[value="worker-135"]', {
      state: 'attached',
    });
    expect(await harness.errorFor('workers.0.replicas')).toBe(
      'IP pool worker-pool has 4 free of 4 entries; 6 needed (shared by 2 node pools)',
    );
    expect(await harness.errorFor('workers.0.maxUnavailable')).toBe(
      'with max surge 0, max unavailable must be at least 1, or no node can be replaced',
    );
    expect(await harness.errorFor('workers.1.name')).toBe(
      'pool name demo-worker-1 is already used by pool 1',
    );
    expect(await harness.errorFor('workers.1.maxSurge')).toBe(
      'max surge must be a whole number of at least 0',
    );
    await screenshot('3-worker-pools-errors');
    await page.click('[data-action="remove-pool:1"]');
    await page.fill('[data-field="workers.0.replicas"]', '3');
    await page.fill('[data-field="workers.0.maxUnavailable"]', '1');
    await page.fill('[data-field="workers.0.sshAuthorizedKeys"]', SSH_KEY);
    expect((await next(2)).mine).toEqual([]);
    await screenshot('3-worker-pools');

    // Step 4: networking.
    await show(3);
    await page.fill('[data-field="networking.podsCidr"]', '10.3.0.0/16');
    await page.fill('[data-field="networking.servicesCidr"]', '10.3.128.0/20');
    await page.fill('[data-field="networking.joinCidr"]', '100.64.0.1/16');
    await next(3);
    expect(await harness.errorFor('networking.servicesCidr')).toBe(
      'Services CIDR overlaps Pods CIDR 10.3.0.0/16',
    );
    expect(await harness.errorFor('networking.joinCidr')).toBe(
      'Join CIDR has host bits set; the network is 100.64.0.0/16',
    );
    await screenshot('4-networking-errors');
    await page.fill('[data-field="networking.servicesCidr"]', '10.4.0.0/16');
    await page.fill('[data-field="networking.joinCidr"]', '100.64.0.0/16');
    expect((await next(3)).all).toEqual([]);
    await screenshot('4-networking');

    // Nothing was created while the user went through the steps.
    expect(await clusters()).toBe(seeded);

    // Review: the exact manifests, in order; then creation; the API server holds what was shown.
    const review = (await page.evaluate(() => (window as unknown as WizardWindow).wizard.review())) as {
      manifests: KubernetesManifest[];
      warnings: string[];
    };
    expect(review.warnings).toEqual([]);
    expect(review.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(SCENARIO_OBJECTS);
    await page.evaluate((m) => (window as unknown as WizardWindow).wizard.create(m), review.manifests);
    for (const m of review.manifests) {
      const stored = await kubernetesRequest<KubernetesManifest>(
        kubeConfig,
        'GET',
        `${collectionOf(m)}/${m.metadata.name}`,
      );
      expect(stored.spec, `${m.kind}/${m.metadata.name}`).toEqual(m.spec);
      expect(stored.metadata.labels).toEqual(m.metadata.labels);
    }
    expect(JSON.stringify(harness.responses)).not.toContain(PASSWORD);
  });
});
