import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  chromiumLaunchOptions,
  collectPageErrors,
  type PageEvaluator,
  seriousAccessibilityViolations,
} from './browser.js';

/**
 * The part of a Fleet Essentials server (`createFleetServer`) the browser lab
 * uses. Typed by shape: the kit depends neither on Fleet Essentials (whose own
 * tests use the kit) nor on Playwright.
 */
export interface FleetServerLike {
  app: {
    addHook(
      name: 'onSend',
      hook: (request: { url: string }, reply: unknown, payload: unknown) => Promise<unknown>,
    ): unknown;
    listen(options: { port: number; host: string }): Promise<string>;
  };
  close(): Promise<void>;
}

/**
 * The part of Playwright's Page the lab drives: requests, navigation, the sign-in form, screenshots
 * and the accessibility check.
 */
export interface FleetPage extends PageEvaluator {
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): unknown;
  on(event: 'pageerror', listener: (error: Error) => void): unknown;
  on(event: 'request', listener: (request: { method(): string; url(): string }) => void): unknown;
  goto(url: string): Promise<unknown>;
  getByLabel(text: string): { fill(value: string): Promise<void> };
  getByRole(
    role: 'button' | 'heading',
    options: { name: string },
  ): { click(): Promise<void>; waitFor(): Promise<void> };
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}

/** Playwright's browser context, as far as the lab opens one. */
export interface FleetBrowserContext {
  newPage(): Promise<FleetPage>;
}

/** The page type of a browser context type (Playwright's Page for its BrowserContext). */
export type PageOf<Context extends FleetBrowserContext> = Awaited<ReturnType<Context['newPage']>>;

/** Playwright's `chromium` (BrowserType), as far as the lab launches it. */
export interface ChromiumLike<Context extends FleetBrowserContext> {
  launch(options: ReturnType<typeof chromiumLaunchOptions>): Promise<{
    newContext(options: { viewport: { width: number; height: number } }): Promise<Context>;
    close(): Promise<void>;
  }>;
}

export interface FleetBrowserOptions<Context extends FleetBrowserContext> {
  /** The host, created but not listening yet; the lab listens on a free loopback port and closes it. */
  server: FleetServerLike;
  /** Playwright's `chromium`; it is launched with {@link chromiumLaunchOptions} (Debian's chromium). */
  chromium: ChromiumLike<Context>;
  /** Where `shot` writes, and the prefix of its file names (`<prefix>-<name>.png`). */
  artifacts: string;
  shotPrefix: string;
  /** A bearer token to sign in with before the lab is handed back (see `signIn`). */
  token?: string | undefined;
  /** Which requests of the page count as changes; by default every one but a GET under `/api/kube/`. */
  isWrite?: ((method: string, path: string) => boolean) | undefined;
  /**
   * Called once the page is open, before anything is loaded in it (to record what it receives,
   * say), with the lookup of what the host sent (see `sentTo`).
   */
  onPage?:
    | ((
        context: Context,
        page: PageOf<Context>,
        sentTo: (url: string) => string[] | undefined,
      ) => Promise<void>)
    | undefined;
}

/** The host listening, and a chromium page on it that records what it is sent and asks to change. */
export interface FleetBrowser<Context extends FleetBrowserContext> {
  url: string;
  context: Context;
  page: PageOf<Context>;
  /** Console errors and uncaught exceptions of the page (a Content-Security-Policy refusal shows up here). */
  pageErrors: string[];
  /** Every body the host sent as a whole (API answers, platform results, the bundle), in order. */
  sentBodies: string[];
  /** The bodies the host sent for one request URL (path and query), in order. */
  sentTo(url: string): string[] | undefined;
  /** The changes the page asked for (`POST /api/kube/...` by default), in order. */
  writes: string[];
  /** Opens the host and signs in with a bearer token; done when the cluster list shows. */
  signIn(token: string): Promise<void>;
  /**
   * A full-page screenshot, `<shotPrefix>-<name>.png` in the artifacts folder, and axe-core's check
   * of the page as shot: it throws with every serious or critical violation, so each page a test
   * shows is also checked for accessibility.
   */
  shot(name: string): Promise<void>;
  /** Closes the browser and the host. */
  close(): Promise<void>;
}

const kubeWrite = (method: string, path: string) => method !== 'GET' && path.startsWith('/api/kube/');

/**
 * The browser half of every provider's fleet lab: the host listening on a free
 * loopback port, Debian's chromium on it (1400x1000), what the host sends and
 * what the page asks to change recorded, signed in when `token` is given. On
 * a failure to open or sign in, the browser and the host are closed before
 * the error is thrown.
 */
export async function openFleetBrowser<Context extends FleetBrowserContext>(
  options: FleetBrowserOptions<Context>,
): Promise<FleetBrowser<Context>> {
  const { server } = options;
  mkdirSync(options.artifacts, { recursive: true });
  const sentBodies: string[] = [];
  const sent = new Map<string, string[]>();
  server.app.addHook('onSend', async (request, _reply, payload) => {
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const body = payload.toString();
      sentBodies.push(body);
      sent.set(request.url, [...(sent.get(request.url) ?? []), body]);
    }
    return payload;
  });
  let browser: Awaited<ReturnType<ChromiumLike<Context>['launch']>> | undefined;
  try {
    const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await options.chromium.launch(chromiumLaunchOptions());
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = (await context.newPage()) as PageOf<Context>;
    const sentTo = (where: string) => sent.get(where);
    await options.onPage?.(context, page, sentTo);
    const pageErrors = collectPageErrors(page);
    const writes: string[] = [];
    const isWrite = options.isWrite ?? kubeWrite;
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (isWrite(request.method(), path)) writes.push(`${request.method()} ${path}`);
    });
    const opened = browser;
    const host: FleetBrowser<Context> = {
      url,
      context,
      page,
      pageErrors,
      sentBodies,
      sentTo,
      writes,
      async signIn(token) {
        await page.goto(url);
        await page.getByLabel('Kubernetes bearer token').fill(token);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Clusters' }).waitFor();
      },
      async shot(name) {
        await page.screenshot({
          path: join(options.artifacts, `${options.shotPrefix}-${name}.png`),
          fullPage: true,
        });
        const violations = await seriousAccessibilityViolations(page);
        if (violations.length > 0) {
          throw new Error(`accessibility of ${options.shotPrefix}-${name}:\n${violations.join('\n')}`);
        }
      },
      async close() {
        await opened.close();
        await server.close();
      },
    };
    if (options.token !== undefined) await host.signIn(options.token);
    return host;
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}
