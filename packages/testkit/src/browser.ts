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
