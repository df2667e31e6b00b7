import { fileURLToPath } from 'node:url';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import {
  namespaceOperatorToken,
  openFleetBrowser,
  seriousAccessibilityViolations,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim, type VcsimOptions } from '@immutable-infra/vcsim';
import type { KubeConfig } from '@kubernetes/client-node';
import { chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Screenshots go with the package (git ignores test-artifacts), not to the shared temporary folder. */
const ARTIFACTS =
  process.env.IINFRA_ARTIFACTS_DIR ?? fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const PROVIDER_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const INFRA = 'infrastructure.cluster.x-k8s.io';

/**
 * A vSphere lab for the browser: vcsim named as the documentation's manifests
 * name things, a test namespace, the real Fleet Essentials host with this
 * package (built) as its extension, and Debian's chromium signed in as a
 * service account whose rights are one namespace Role.
 */
export interface VsphereFleetLab {
  kubeConfig: KubeConfig;
  ns: string;
  vcsim: Vcsim;
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

export async function startVsphereFleetLab(
  prefix: string,
  extraRules: ExtraRules = [],
  vcsimOptions: Pick<VcsimOptions, 'extraTemplates'> = {},
): Promise<VsphereFleetLab> {
  const kubeConfig = testKubeConfig();
  const ns = await createTestNamespace(kubeConfig, prefix);
  const token = await namespaceOperatorToken(kubeConfig, ns, [
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
    { apiGroups: [INFRA], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
    ...extraRules,
  ]);
  const vcsim = await startVcsim({ documentedNames: true, ...vcsimOptions });
  try {
    const host = await openFleetBrowser({
      server: await createFleetServer({ kubeConfig, extensionPackages: [PROVIDER_DIR] }),
      chromium,
      token,
      artifacts: ARTIFACTS,
      shotPrefix: 'vsphere-fleet',
    });
    return {
      kubeConfig,
      ns,
      vcsim,
      url: host.url,
      page: host.page,
      pageErrors: host.pageErrors,
      sentBodies: host.sentBodies,
      writes: host.writes,
      shot: host.shot,
      async expectAccessible(where) {
        expect(await seriousAccessibilityViolations(host.page), `accessibility of ${where}`).toEqual([]);
      },
      async close() {
        await host.close();
        await vcsim.stop();
      },
    };
  } catch (error) {
    await vcsim.stop();
    throw error;
  }
}
