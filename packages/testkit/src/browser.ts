import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
