#!/usr/bin/env node
// Starts the iinfra command. It needs Node.js >= 22.18. On an older Node (some
// machines still ship the end-of-life Node 20) it re-runs itself with the
// project's pinned Node if that is installed (tools/run.sh installs it), and
// otherwise says what is needed instead of failing on a syntax error.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  await import('../dist/cli.js');
} else {
  const pinned = findPinnedNode();
  if (pinned === undefined) {
    process.stderr.write(
      `iinfra needs Node.js 22.18 or newer; this is ${process.version}.\n` +
        'Install a current Node.js LTS, or in the repository run tools/run.sh once to install the pinned one.\n',
    );
    process.exit(1);
  }
  const result = spawnSync(pinned, [process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

function findPinnedNode() {
  const cache =
    process.env.IINFRA_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'immutable-infra');
  const dir = join(cache, 'node');
  if (!existsSync(dir)) return undefined;
  const candidates = readdirSync(dir)
    .filter((name) => /^\d+\.\d+\.\d+-/.test(name))
    .map((name) => join(dir, name, 'bin', 'node'))
    .filter((path) => existsSync(path))
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  return candidates[0];
}
