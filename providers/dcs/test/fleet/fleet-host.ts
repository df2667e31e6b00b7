import { fileURLToPath } from 'node:url';
import { type DcsSimulator, defaultInventory, startDcsSimulator } from '@immutable-infra/dcs-sim';
import { createFleetServer } from '@immutable-infra/fleet-essentials';
import { namespaceOperatorToken, openFleetBrowser } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { chromium, type Locator, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { versionConfigMap } from '../ui/wizard-scenario.js';
import { BrowserReceipts } from './credential-scan.js';

/**
 * Where screenshots go: with the package (git ignores it, as Playwright's test-results), not in the
 * shared temporary directory where every run would leave another copy.
 */
export const ARTIFACTS =
  process.env.IINFRA_ARTIFACTS_DIR ?? fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/**
 * The real Fleet Essentials host with this package (built) as its extension,
 * in Debian's chromium, signed in as a service account whose rights are one
 * namespace Role, against dcs-sim: what the fleet tests share. What a test
 * adds on top (Cluster API's controllers, the manager) stays in that test.
 */

// The credential, typed into the form once: none of its values may reach the browser.
export const USER = 'fleet-dcs-operator';
export const PASSWORD = 'Dcs-Br0wser-Never-7kQ';
export const SITE = '3CD306E7';
export const INFRA = 'infrastructure.cluster.x-k8s.io';
const PROVIDER_DIR = fileURLToPath(new URL('../../', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep paths of stored objects.
export type Loose = Record<string, any>;

/** A test namespace with what the DCS plugin ships, dcs-sim with the operator's DCS user, and a bearer token. */
export interface DcsLab {
  kubeConfig: KubeConfig;
  ns: string;
  sim: DcsSimulator;
  /** The namespace operator's bearer token (the identity the browser signs in with). */
  token: string;
  /** Objects of a kind in the test namespace, read with the admin kubeconfig (not through the host). */
  list(group: string, version: string, plural: string): Promise<Loose[]>;
  close(): Promise<void>;
}

export async function startDcsLab(prefix: string, options: { taskSeconds?: number } = {}): Promise<DcsLab> {
  const kubeConfig = testKubeConfig();
  const ns = await createTestNamespace(kubeConfig, prefix);
  const sim = await startDcsSimulator({
    inventory: { ...defaultInventory(), users: [{ name: USER, password: PASSWORD, userType: 2 }] },
    ...(options.taskSeconds === undefined ? {} : { faults: { taskSeconds: options.taskSeconds } }),
  });
  try {
    await seedPlatformFiles(kubeConfig, ns);
    const token = await namespaceOperatorToken(kubeConfig, ns, OPERATOR_RULES);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    return {
      kubeConfig,
      ns,
      sim,
      token,
      list: async (group, version, plural) =>
        (
          (await custom.listNamespacedCustomObject({ group, version, namespace: ns, plural })) as {
            items: Loose[];
          }
        ).items,
      close: () => sim.close(),
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

/** The rights the UI needs in the lab namespace, and no more. */
const OPERATOR_RULES = [
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
  {
    apiGroups: [INFRA, 'cluster.x-k8s.io', 'controlplane.cluster.x-k8s.io', 'bootstrap.cluster.x-k8s.io'],
    resources: ['*'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
];

/** What the DCS plugin and the OS image ship before anyone opens the UI: version ConfigMaps and the files Secret. */
async function seedPlatformFiles(kubeConfig: KubeConfig, ns: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (const [template, version] of [
    ['ubuntu-2204-k8s-v1.34', 'v1.34.3'],
    ['ubuntu-2204-k8s-v1.35', 'v1.35.1'],
  ] as const)
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: versionConfigMap(ns, template, version) as never,
    });
  await core.createNamespacedSecret({
    namespace: ns,
    body: {
      metadata: { name: 'dcs-kubernetes-1.35-files', namespace: ns },
      stringData: {
        'psa-config.yaml': 'kind: AdmissionConfiguration',
        'control-plane-kubelet-patch.json': '{}',
        'audit-policy.yaml': 'kind: Policy',
        'worker-kubelet-patch.json': '{}',
      },
    },
  });
}

/** Fleet Essentials in this process and a chromium page on it, recording what the page receives. */
export interface FleetHost {
  url: string;
  page: Page;
  /** Console errors and uncaught exceptions of the page (a Content-Security-Policy refusal shows up here). */
  pageErrors: string[];
  /** Signs in with the lab operator's bearer token and waits for the cluster list. */
  signIn(): Promise<void>;
  /** A full-page screenshot, `fleet-<name>.png` in the artifacts folder. */
  shot(name: string): Promise<void>;
  /** The control of a form field (`data-field`). */
  field(name: string): Locator;
  /** Waits until the select `name` offers `value` (platform and API lists arrive after the form). */
  option(name: string, value: string): Promise<void>;
  /** The error shown next to the field: the one it names as its description, marked invalid, beside it. */
  errorNextTo(name: string): Promise<string>;
  /** The fields marked invalid in the page, in page order. */
  invalidFields(): Promise<string[]>;
  /** The changes the page asked the server for so far (`POST /api/kube/...`), in order. */
  writes: string[];
  /** Everything the page received: each body, streamed chunk, event and header (credential-scan.ts). */
  receipts: BrowserReceipts;
  /**
   * Fails unless every byte the page received was read, and none carried the lab's credential
   * (password, user, endpoint), one of `typed` (other keys the test typed), the SHA-256 of the
   * password, user or a typed key (the endpoint's is in DCSMachine status on purpose), or the
   * operator's bearer token or session cookie, as is or encoded.
   */
  expectNoCredential(typed?: string[]): Promise<void>;
  close(): Promise<void>;
}

type FleetApp = Awaited<ReturnType<typeof createFleetServer>>['app'];

/**
 * `testOnlyRoutes` adds routes to the server before it listens: only the scanner's own test uses it,
 * to serve what the real routes never do.
 */
export async function openFleet(
  lab: DcsLab,
  options: { testOnlyRoutes?: (app: FleetApp) => void } = {},
): Promise<FleetHost> {
  const server = await createFleetServer({ kubeConfig: lab.kubeConfig, extensionPackages: [PROVIDER_DIR] });
  options.testOnlyRoutes?.(server.app);
  let receipts: BrowserReceipts | undefined;
  const host = await openFleetBrowser({
    server,
    chromium,
    artifacts: ARTIFACTS,
    shotPrefix: 'fleet',
    // Platform calls are reads; every other non-GET under /api/ is a change.
    isWrite: (method, path) => method !== 'GET' && path.startsWith('/api/') && path !== '/api/platform',
    async onPage(context, page, sentTo) {
      // What the server sent for each API path, as sent: the scan's copy of a request the page
      // dropped when it navigated away before its body could be streamed (see BrowserReceipts).
      receipts = await BrowserReceipts.attach(context, page, (where) => {
        const parsed = new URL(where);
        return sentTo(parsed.pathname + parsed.search);
      });
    },
  });
  const { page, context } = host;
  const scanned = receipts as BrowserReceipts;
  return {
    url: host.url,
    page,
    pageErrors: host.pageErrors,
    writes: host.writes,
    receipts: scanned,
    signIn: () => host.signIn(lab.token),
    shot: host.shot,
    field: (name) => page.locator(`[data-field="${name}"]`),
    option: async (name, value) => {
      await page.locator(`[data-field="${name}"] option[value="${value}"]`).waitFor({ state: 'attached' });
    },
    async errorNextTo(name) {
      // One read inside the page, retried until it holds: a step may render again (its facts
      // arrive, or Back and Next rebuild it) between two separate reads, which would find the
      // error of a control that is no longer there.
      const seen = await page
        .waitForFunction((fieldName) => {
          const control = document.querySelector(`[data-field="${fieldName}"]`);
          const id = control?.getAttribute('aria-describedby');
          const error = id ? document.getElementById(id) : null;
          if (!control || !error || control.getAttribute('aria-invalid') !== 'true') return undefined;
          return {
            text: error.textContent ?? '',
            shown: error.getClientRects().length > 0,
            // Beside it: the error and the control share their row.
            inRow: control.parentElement?.contains(error) ?? false,
          };
        }, name)
        .catch((error: Error) => {
          throw new Error(
            `${name}: no error marked next to it (aria-invalid, aria-describedby): ${error.message}`,
          );
        });
      const { text, shown, inRow } = (await seen.jsonValue()) as {
        text: string;
        shown: boolean;
        inRow: boolean;
      };
      expect(shown, `the error of ${name} is shown`).toBe(true);
      expect(inRow, `the error of ${name} is in the field's row`).toBe(true);
      return text;
    },
    invalidFields: () =>
      page
        .locator('[aria-invalid="true"]')
        .evaluateAll((controls) => controls.map((c) => (c as HTMLElement).dataset.field ?? c.id)),
    async expectNoCredential(typed = []) {
      const session = (await context.cookies()).map((cookie) => cookie.value);
      await scanned.expectNoCredential([PASSWORD, USER, ...typed], [lab.token, ...session], [lab.sim.url]);
    },
    close: () => host.close(),
  };
}

/** Keeps a screenshot of the page as it was when a test of the file failed (`fleet-failed-<test>.png`). */
export function screenshotFailures(host: () => FleetHost | undefined): void {
  afterEach(async (context) => {
    const open = host();
    if (context.task.result?.state !== 'fail' || !open) return;
    const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
    await open.shot(`failed-${name}`).catch(() => undefined);
  });
}

/**
 * The tests each DCS browser file ends with: no error in the page, and the credential scan of every
 * byte it received (FleetHost.expectNoCredential), once the record holds what the file's pages must
 * have received: at least `bodies[part]` bodies of URLs containing `part`, the event stream's bytes,
 * and with `events` at least one server-sent event.
 */
export function describeWhatTheBrowserReceived(
  host: () => FleetHost,
  expected: { bodies: Record<string, number>; events?: boolean; typed?: string[] },
): void {
  describe('what the browser received', () => {
    it('ran without a console error or uncaught exception in the page', () => {
      expect(host().pageErrors).toEqual([]);
    });

    it('never delivered a credential value, in any response, header, streamed byte or event', async () => {
      const { receipts } = host();
      const bodies = await receipts.bodies();
      for (const [part, least] of Object.entries(expected.bodies))
        expect(bodies.filter((b) => b.url.includes(part)).length, part).toBeGreaterThanOrEqual(least);
      expect(receipts.streamed().length, 'event streams').toBeGreaterThan(0);
      if (expected.events) expect(receipts.eventMessages, 'server-sent events').toBeGreaterThan(0);
      await host().expectNoCredential(expected.typed);
    });
  });
}
