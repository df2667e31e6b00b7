import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import {
  chromiumLaunchOptions,
  collectPageErrors,
  namespaceOperatorToken,
  seriousAccessibilityViolations,
} from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { startVcsim, type Vcsim, type VcsimOptions } from '@immutable-infra/vcsim';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
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
  mkdirSync(ARTIFACTS, { recursive: true });
  const kubeConfig = testKubeConfig();
  const ns = await createTestNamespace(kubeConfig, prefix);
  const token = await namespaceOperatorToken(kubeConfig, ns, [
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
    { apiGroups: [INFRA], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
    ...extraRules,
  ]);
  const vcsim = await startVcsim({ documentedNames: true, ...vcsimOptions });
  const server = await createFleetServer({ kubeConfig, extensionPackages: [PROVIDER_DIR] });
  const sentBodies: string[] = [];
  server.app.addHook('onSend', async (_request, _reply, payload) => {
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) sentBodies.push(payload.toString());
    return payload;
  });
  let browser: Browser | undefined;
  try {
    const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch(chromiumLaunchOptions());
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    const pageErrors = collectPageErrors(page);
    const writes: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() !== 'GET' && path.startsWith('/api/kube/'))
        writes.push(`${request.method()} ${path}`);
    });
    await page.goto(url);
    await page.getByLabel('Kubernetes bearer token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Clusters' }).waitFor();
    const opened = browser;
    return {
      kubeConfig,
      ns,
      vcsim,
      url,
      page,
      pageErrors,
      sentBodies,
      writes,
      shot: async (name) => {
        await page.screenshot({ path: join(ARTIFACTS, `vsphere-fleet-${name}.png`), fullPage: true });
      },
      async expectAccessible(where) {
        expect(await seriousAccessibilityViolations(page), `accessibility of ${where}`).toEqual([]);
      },
      async close() {
        await opened.close();
        await server.close();
        await vcsim.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    await vcsim.stop();
    throw error;
  }
}
