#!/usr/bin/env node
// Gates every publishable workspace package (not private) on publint (the
// package.json and files as published) and arethetypeswrong (types resolve
// for ESM consumers under node16 and bundler resolution). Run after a build.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const checks = [
  ['publint', [bin('publint'), '--strict']],
  ['arethetypeswrong', [bin('attw'), '--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped']],
];
let failed = 0;
for (const parent of ['packages', 'providers']) {
  for (const entry of readdirSync(join(root, parent))) {
    const dir = join(root, parent, entry);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (manifest.private) continue;
    for (const [name, [command, ...args]] of checks) {
      const run = spawnSync(command, args, { cwd: dir, encoding: 'utf8' });
      if (run.status !== 0) {
        failed++;
        process.stderr.write(
          `check-packages: ${manifest.name}: ${name} failed\n${run.stdout}${run.stderr}\n`,
        );
      }
    }
  }
}
if (failed > 0) process.exit(1);
process.stdout.write('check-packages: publint and arethetypeswrong are clean for every published package\n');
