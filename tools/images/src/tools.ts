import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..', '..');

export const cacheDir = () =>
  join(
    process.env.IINFRA_CACHE_DIR ??
      join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? tmpdir(), '.cache'), 'immutable-infra'),
    'images',
  );

/** crane from tools/images/ensure.sh (built from the pinned module on first use). */
export function ensureCrane(): { crane: string; craneVersion: string } {
  const out = execFileSync('bash', [join(here, '..', 'ensure.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}
