import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from '@immutable-infra/testkit';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { testHostApi } from './host-api.js';

const BUNDLE = fileURLToPath(new URL('../../dist/ui/extension.js', import.meta.url));

/**
 * Where screenshots go: with the package (git ignores it, as Playwright's test-results), not in the
 * shared temporary directory where every run would leave another copy.
 */
export const ARTIFACTS =
  process.env.IINFRA_ARTIFACTS_DIR ?? fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/**
 * A blank page that loads the built extension bundle as the host would (an ES
 * module over HTTP), with a HostApi stand-in whose calls run in this process
 * against the real API server and the platform proxy. Every answer that
 * crosses into the page is recorded, so a test can prove no key was in any.
 */
export class ExtensionPage {
  readonly responses: string[] = [];
  readonly notices: string[] = [];
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    private readonly server: Server,
  ) {}

  static async open(kubeConfig: KubeConfig): Promise<ExtensionPage> {
    const bundle = readFileSync(BUNDLE, 'utf8');
    const server = createServer((req, res) => {
      if (req.url === '/extension.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(bundle);
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body><div id="app"></div></body></html>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch(chromiumLaunchOptions());
    const page = await browser.newPage();
    const harness = new ExtensionPage(browser, page, server);
    const notices: string[] = harness.notices;
    const api = testHostApi(kubeConfig, notices);
    await page.exposeFunction('__host', async (method: 'kubernetes' | 'platform', request: never) => {
      let answer: { ok: boolean; value?: unknown; error?: unknown };
      try {
        answer = { ok: true, value: await api[method](request) };
      } catch (error) {
        answer = { ok: false, error: error instanceof Error ? { message: error.message } : error };
      }
      harness.responses.push(JSON.stringify(answer));
      return answer;
    });
    await page.exposeFunction('__notify', (message: { kind: string; text: string }) => {
      notices.push(`${message.kind}: ${message.text}`);
    });
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      const call = (method: string) => async (request: unknown) => {
        const answer = await (
          w.__host as (m: string, r: unknown) => Promise<{ ok: boolean; value: unknown; error: unknown }>
        )(method, request);
        if (!answer.ok) throw answer.error;
        return answer.value;
      };
      w.hostApi = {
        kubernetes: call('kubernetes'),
        platform: call('platform'),
        notify: (message: unknown) => (w.__notify as (m: unknown) => void)(message),
      };
    });
    // As a module script (not evaluate), so the test runner's transform leaves the import alone.
    await page.addScriptTag({
      type: 'module',
      content: "import * as e from '/extension.js'; window.extension = e;",
    });
    await page.waitForFunction(() => (window as unknown as Record<string, unknown>).extension !== undefined);
    return harness;
  }

  /** Mounts `exportName` into #app with props built in the page by `propsSource` (a function body returning them). */
  async mount(exportName: string, props: Record<string, unknown>, callbacks: string[] = []): Promise<void> {
    await this.page.evaluate(
      ({ exportName, props, callbacks }) => {
        const w = window as unknown as Record<string, unknown> & { events: unknown[][] };
        w.events = [];
        const all: Record<string, unknown> = { ...props, api: w.hostApi };
        for (const name of callbacks) all[name] = (...args: unknown[]) => w.events.push([name, ...args]);
        const ext = (w.extension as Record<string, { mount(e: Element, p: unknown): () => void }>)[
          exportName
        ];
        if (!ext) throw new Error(`the bundle has no export ${exportName}`);
        w.unmount = ext.mount(document.getElementById('app') as Element, all);
      },
      { exportName, props, callbacks },
    );
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  events(): Promise<unknown[][]> {
    return this.page.evaluate(() => (window as unknown as { events: unknown[][] }).events);
  }

  /** The error text shown next to the field `path`. */
  async errorFor(path: string): Promise<string> {
    return (await this.page.locator(`[data-error-for="${path}"]`).textContent()) ?? '';
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
