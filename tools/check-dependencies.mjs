#!/usr/bin/env node
// Enforces which way dependencies point, collecting every violation:
// - @immutable-infra/core depends on zod and semver only (it runs in the
//   manager, in providers and in the browser), and its sources import nothing else;
// - providers import neither the manager, nor Fleet Essentials, nor each other (the provider
//   kit is not a provider: they may import it);
// - the provider kit depends on core (a peer) and its own libraries, never on the manager,
//   Fleet Essentials, a provider or a test package at run time;
// - Fleet Essentials (and the manager) reach providers only through core's anchors and
//   contract: they import no provider package and not each other;
// - the manager is production code: its dependencies hold no test package (testkit, vitest, the
//   simulator kit, playwright) and its sources import none;
// - a published package never depends on a private workspace package (npm could not install it);
// - the platform simulators (tools/*-sim) build on the simulator kit, not on testkit.
// `node tools/check-dependencies.mjs [root]` checks another checkout (a copy, in a test) instead.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = process.argv[2] ? resolve(process.argv[2]) : new URL('..', import.meta.url).pathname;
const problems = [];

const CORE_ALLOWED = new Set(['zod', 'semver']);
const PROVIDER_KIT = '@immutable-infra/provider-kit';
const importPattern =
  /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(sourceFiles(path));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((m) => m[1] ?? m[2]);
}

const packageName = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

// core
const corePackage = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'));
for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
  for (const dep of Object.keys(corePackage[field] ?? {})) {
    if (!CORE_ALLOWED.has(dep))
      problems.push(`packages/core/package.json: ${field} "${dep}" (core may depend on zod and semver only)`);
  }
}
for (const file of sourceFiles(join(root, 'packages/core/src'))) {
  for (const specifier of importsOf(file)) {
    if (specifier.startsWith('.')) continue;
    if (!CORE_ALLOWED.has(packageName(specifier))) {
      problems.push(`${relative(root, file)}: imports "${specifier}" (core may import zod and semver only)`);
    }
  }
}

// providers
let providers = [];
try {
  providers = readdirSync(join(root, 'providers')).filter((d) =>
    statSync(join(root, 'providers', d)).isDirectory(),
  );
} catch {}
for (const dir of providers) {
  const own = JSON.parse(readFileSync(join(root, 'providers', dir, 'package.json'), 'utf8')).name;
  for (const file of sourceFiles(join(root, 'providers', dir, 'src'))) {
    for (const specifier of importsOf(file)) {
      const name = packageName(specifier);
      const forbidden =
        name === '@immutable-infra/manager' ||
        name === '@immutable-infra/fleet-essentials' ||
        (name.startsWith('@immutable-infra/provider-') && name !== own && name !== PROVIDER_KIT);
      if (forbidden)
        problems.push(`${relative(root, file)}: imports "${specifier}" (providers depend on core only)`);
    }
  }
}

// the provider kit
const KIT_FORBIDDEN = (name) =>
  name === '@immutable-infra/manager' ||
  name === '@immutable-infra/fleet-essentials' ||
  name === '@immutable-infra/testkit' ||
  name === '@immutable-infra/simulator-kit' ||
  name.endsWith('-sim') ||
  (name.startsWith('@immutable-infra/provider-') && name !== PROVIDER_KIT);
const kitPackage = JSON.parse(readFileSync(join(root, 'packages/provider-kit/package.json'), 'utf8'));
for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
  for (const dep of Object.keys(kitPackage[field] ?? {})) {
    if (KIT_FORBIDDEN(dep))
      problems.push(
        `packages/provider-kit/package.json: ${field} "${dep}" (the kit depends on core, never on hosts or providers)`,
      );
  }
}
for (const file of sourceFiles(join(root, 'packages/provider-kit/src'))) {
  for (const specifier of importsOf(file)) {
    if (KIT_FORBIDDEN(packageName(specifier)))
      problems.push(
        `${relative(root, file)}: imports "${specifier}" (the kit depends on core, never on hosts or providers)`,
      );
  }
}

// Fleet Essentials and the manager
for (const [dir, other] of [
  ['packages/fleet-essentials', '@immutable-infra/manager'],
  ['packages/manager', '@immutable-infra/fleet-essentials'],
]) {
  for (const file of sourceFiles(join(root, dir, 'src'))) {
    for (const specifier of importsOf(file)) {
      const name = packageName(specifier);
      if (name === other || name.startsWith('@immutable-infra/provider-'))
        problems.push(
          `${relative(root, file)}: imports "${specifier}" (${dir} depends on core, not on ${name})`,
        );
    }
  }
}

// Dependencies that ship with a package: what npm installs for its users.
const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** Every workspace package of the root package.json (`dir/*` globs and plain folders). */
function workspacePackages() {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of rootManifest.workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent)) dirs.push(join(parent, entry));
    } else dirs.push(join(root, pattern));
  }
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
}
const workspace = workspacePackages();

// The manager carries no test code at runtime.
const TEST_PACKAGES = [
  '@immutable-infra/testkit',
  '@immutable-infra/simulator-kit',
  'vitest',
  'playwright',
  'playwright-core',
  '@playwright/test',
];
const isTestPackage = (name) => TEST_PACKAGES.includes(name) || name.startsWith('@vitest/');
const manager = workspace.find((p) => p.manifest.name === '@immutable-infra/manager');
if (manager) {
  const where = relative(root, manager.dir);
  for (const field of RUNTIME_FIELDS) {
    for (const dep of Object.keys(manager.manifest[field] ?? {})) {
      if (isTestPackage(dep))
        problems.push(
          `${where}/package.json: ${field} "${dep}" (the manager is production code; test packages go in devDependencies)`,
        );
    }
  }
  for (const file of sourceFiles(join(manager.dir, 'src'))) {
    for (const specifier of importsOf(file)) {
      if (isTestPackage(packageName(specifier)))
        problems.push(
          `${relative(root, file)}: imports "${specifier}" (the manager's sources import no test code)`,
        );
    }
  }
}

// A published package never depends on a private one: its users' npm could not install it.
const privateNames = new Set(workspace.filter((p) => p.manifest.private).map((p) => p.manifest.name));
for (const { dir, manifest } of workspace.filter((p) => !p.manifest.private)) {
  for (const field of RUNTIME_FIELDS) {
    for (const dep of Object.keys(manifest[field] ?? {})) {
      if (privateNames.has(dep))
        problems.push(
          `${relative(root, dir)}/package.json: ${field} "${dep}" (${manifest.name} is published; ${dep} is private)`,
        );
    }
  }
}

// The platform simulators share the simulator kit, not testkit.
const SIMULATORS_ALLOWED_TESTKIT = {
  // Its workload clusters' API endpoints are testkit's TCP proxy (startTcpProxy); it goes with the proxy.
  '@immutable-infra/workload-sim': true,
};
for (const { dir, manifest } of workspace) {
  if (!/\/tools\/[^/]+-sim$/.test(dir) || SIMULATORS_ALLOWED_TESTKIT[manifest.name]) continue;
  for (const field of RUNTIME_FIELDS) {
    if (manifest[field]?.['@immutable-infra/testkit'])
      problems.push(
        `${relative(root, dir)}/package.json: ${field} "@immutable-infra/testkit" (simulators build on @immutable-infra/simulator-kit)`,
      );
  }
  for (const file of sourceFiles(join(dir, 'src'))) {
    for (const specifier of importsOf(file)) {
      if (packageName(specifier) === '@immutable-infra/testkit')
        problems.push(
          `${relative(root, file)}: imports "${specifier}" (simulators build on @immutable-infra/simulator-kit)`,
        );
    }
  }
}

if (problems.length > 0) {
  console.error(`check-dependencies: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('check-dependencies: dependency directions are clean');
