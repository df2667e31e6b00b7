import { fileURLToPath } from 'node:url';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import {
  namespaceOperatorToken,
  openFleetBrowser,
  seriousAccessibilityViolations,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { GATEWAY_ADDRESS_VARIABLE } from '../../src/ui/platform-proxy.js';

/** Screenshots go with the package (git ignores test-artifacts), not to the shared temporary folder. */
const ARTIFACTS =
  process.env.IINFRA_ARTIFACTS_DIR ?? fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const PROVIDER_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const INFRA = 'infrastructure.cluster.x-k8s.io';
/** The credential's domain: every `*.hcs.test` name reaches the simulator through the gateway address. */
export const TEST_DOMAIN = 'hcs.test';

/**
 * An HCS lab for the browser: hcs-sim with its default inventory, a test
 * namespace, the real Fleet Essentials host with this package (built) as its
 * extension, and Debian's chromium signed in as a service account whose
 * rights are one namespace Role.
 */
export interface HcsFleetLab {
  kubeConfig: KubeConfig;
  ns: string;
  sim: HcsSimulator;
  /** The credential's `externalGlobalDomain` that reaches the simulator. */
  domain: string;
  url: string;
  page: Page;
  /** Console errors and uncaught exceptions of the page (a Content-Security-Policy refusal shows up here). */
  pageErrors: string[];
  /** Every body the host sent as a whole (API answers, platform results, the bundle), in order. */
  sentBodies: string[];
  /** The changes the page asked for (`POST /api/kube/...`), in order. */
  writes: string[];
  shot(name: string): Promise<void>;
  /** Fails with every serious or critical axe-core violation of the page as it is now. */
  expectAccessible(where: string): Promise<void>;
  close(): Promise<void>;
}

/** What the signed-in service account may do besides Secrets and the infrastructure kinds (a Role's rules). */
type ExtraRules = { apiGroups: string[]; resources: string[]; verbs: string[] }[];

export async function startHcsFleetLab(prefix: string, extraRules: ExtraRules = []): Promise<HcsFleetLab> {
  // The platform proxy resolves the regional service names to this address (no DNS for hcs.test).
  process.env[GATEWAY_ADDRESS_VARIABLE] = '127.0.0.1';
  const kubeConfig = testKubeConfig();
  const ns = await createTestNamespace(kubeConfig, prefix);
  const token = await namespaceOperatorToken(kubeConfig, ns, [
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
    { apiGroups: [INFRA], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
    ...extraRules,
  ]);
  const sim = await startHcsSimulator({ faults: { jobSeconds: 0.02 } });
  try {
    const host = await openFleetBrowser({
      server: await createFleetServer({ kubeConfig, extensionPackages: [PROVIDER_DIR] }),
      chromium,
      token,
      artifacts: ARTIFACTS,
      shotPrefix: 'hcs-fleet',
    });
    const { page } = host;
    return {
      kubeConfig,
      ns,
      sim,
      domain: `${TEST_DOMAIN}:${new URL(sim.url).port}`,
      url: host.url,
      page,
      pageErrors: host.pageErrors,
      sentBodies: host.sentBodies,
      writes: host.writes,
      shot: host.shot,
      async expectAccessible(where) {
        expect(await seriousAccessibilityViolations(page), `accessibility of ${where}`).toEqual([]);
      },
      async close() {
        await host.close();
        await sim.close();
        delete process.env[GATEWAY_ADDRESS_VARIABLE];
      },
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}
