import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Launch options for Playwright's `chromium.launch` with Debian's chromium
 * (installed by tools/browser/ensure-chromium.sh when missing; set
 * IINFRA_CHROMIUM to use another build). The flags keep Chromium from
 * reaching out to the network at start, which a closed network refuses.
 */
export function chromiumLaunchOptions(): { executablePath: string; headless: true; args: string[] } {
  return {
    executablePath: ensureChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}

function ensureChromium(): string {
  if (process.env.IINFRA_CHROMIUM) return process.env.IINFRA_CHROMIUM;
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    let dir = resolve(start);
    for (;;) {
      const script = join(dir, 'tools', 'browser', 'ensure-chromium.sh');
      if (existsSync(script)) return execFileSync('bash', [script], { encoding: 'utf8' }).trim();
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return '/usr/bin/chromium';
}

/** The part of Playwright's Page that {@link collectPageErrors} listens on (the kit does not depend on Playwright). */
export interface PageEventSource {
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): unknown;
  on(event: 'pageerror', listener: (error: Error) => void): unknown;
}

/**
 * The console errors and uncaught exceptions of a page, as they happen (a
 * Content-Security-Policy refusal shows up here). The browser's own line for
 * a 4xx or 5xx answer is left out: lookups of names not yet taken expect 404s.
 */
export function collectPageErrors(page: PageEventSource): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource:'))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** The part of Playwright's Page that {@link seriousAccessibilityViolations} uses. */
export interface PageEvaluator {
  evaluate<R>(script: string | (() => R | Promise<R>)): Promise<R>;
}

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

let axeSource: string | undefined;

/**
 * axe-core's WCAG 2.x A/AA and best-practice rules on the page as it is now:
 * the violations of impact serious or critical, one line each (rule, help,
 * the elements' selectors). axe-core's browser build is read from its package
 * (nothing fetched) and evaluated through the DevTools protocol, which the
 * page's Content Security Policy does not govern, so the policy under test
 * stays as the server sends it.
 */
export async function seriousAccessibilityViolations(page: PageEvaluator): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as {
      document: unknown;
      axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> };
    };
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
