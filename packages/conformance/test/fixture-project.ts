// A project with the fixture provider installed the way npm would, and the command run in-process in
// it: what the command's tests (package checks, and platform checks with --platform) share.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { runConformanceCommand } from '../src/command.js';
import { installedPackage } from '../src/index.js';
import { fixturePackage, fixtureProvider } from './fixture-provider.js';

export const PROVIDER = '@example/provider-fixture';
export const CORE = installedPackage('@immutable-infra/core', import.meta.url);

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const fixtureEntry = `import { fixtureProvider } from ${JSON.stringify(new URL('./fixture-provider.ts', import.meta.url).href)};\nexport default fixtureProvider();\n`;

/**
 * A project with the fixture provider installed the way npm would: node_modules/@example/provider-fixture
 * (an ESM package whose default export is the provider, `entry` its index.js) next to
 * node_modules/@immutable-infra/core. Removed after the test.
 */
export async function fixtureProject(entry = fixtureEntry): Promise<{ project: string; packageDir: string }> {
  const project = mkdtempSync(join(tmpdir(), 'iinfra-conformance-project-'));
  made.push(project);
  const packageDir = fixturePackage(fixtureProvider(), join(project, 'node_modules', PROVIDER));
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  writeFileSync(
    join(packageDir, 'package.json'),
    JSON.stringify({ ...manifest, type: 'module', exports: { '.': { import: './index.js' } } }),
  );
  writeFileSync(join(packageDir, 'index.js'), entry);
  mkdirSync(join(project, 'node_modules', '@immutable-infra'));
  symlinkSync(CORE.dir, join(project, 'node_modules', '@immutable-infra', 'core'), 'dir');
  return { project, packageDir };
}

/** Runs the command in-process in `cwd`; its exit code and what it wrote. */
export async function runCommand(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runConformanceCommand(argv, {
    cwd,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}
