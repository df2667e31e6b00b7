#!/usr/bin/env node
// Prints, per provider under providers/*, how many lines of non-UI source it carries
// (src/api, src/cloud, src/controllers, and the .ts files directly in src/), and exits 1
// when any is over the limit: what a provider writes itself should shrink as the provider
// kit takes over the machinery they share.
//
//   node tools/provider-size.mjs [--max 2000] [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const SOURCE_DIRS = ['api', 'cloud', 'controllers'];
const SOURCE_FILE = /\.(ts|mts|tsx)$/;

const { values } = parseArgs({
  options: { max: { type: 'string', default: '2000' }, json: { type: 'boolean', default: false } },
});
const max = Number(values.max);
if (!Number.isInteger(max) || max < 0) {
  console.error(`provider-size: --max must be a whole number (got ${values.max})`);
  process.exit(2);
}

function linesIn(file) {
  const text = readFileSync(file, 'utf8');
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function sourceFilesUnder(dir) {
  let files = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files = files.concat(sourceFilesUnder(path));
    else if (SOURCE_FILE.test(name)) files.push(path);
  }
  return files;
}

const providers = {};
for (const name of readdirSync(join(root, 'providers')).sort()) {
  const src = join(root, 'providers', name, 'src');
  let topLevel;
  try {
    topLevel = readdirSync(src);
  } catch {
    continue;
  }
  const parts = {};
  for (const dir of SOURCE_DIRS)
    parts[dir] = sourceFilesUnder(join(src, dir)).reduce((sum, f) => sum + linesIn(f), 0);
  parts.top = topLevel
    .filter((file) => SOURCE_FILE.test(file) && statSync(join(src, file)).isFile())
    .reduce((sum, file) => sum + linesIn(join(src, file)), 0);
  const total = Object.values(parts).reduce((sum, n) => sum + n, 0);
  providers[name] = { lines: total, ...parts, overLimit: total > max };
}

const over = Object.entries(providers).filter(([, size]) => size.overLimit);
if (values.json) {
  console.log(JSON.stringify({ max, providers, ok: over.length === 0 }));
} else {
  for (const [name, size] of Object.entries(providers)) {
    const detail = `api ${size.api}, cloud ${size.cloud}, controllers ${size.controllers}, src/*.ts ${size.top}`;
    console.log(
      `${name.padEnd(12)} ${String(size.lines).padStart(6)} lines (${detail})${size.overLimit ? `  over ${max}` : ''}`,
    );
  }
}
process.exit(over.length === 0 ? 0 : 1);
