import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type CapiContractVersion,
  checkContract,
  checkCore,
  isProvider,
  type Provider,
  type Verdict,
} from '@immutable-infra/core';
import { defaultProvidersDir } from '../registry/providers-dir.js';

/** Loads a provider package (name, resolved from `from`) or file path; its default export must come from defineProvider. */
export async function loadProvider(specifier: string, from = process.cwd()): Promise<Provider> {
  let url: string;
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    url = pathToFileURL(resolveProviderPath(resolve(from, specifier))).href;
  } else {
    url = pathToFileURL(resolveInstalledProvider(specifier, from)).href;
  }
  const module = (await import(url)) as { default?: unknown };
  const candidate = module.default;
  if (!isProvider(candidate)) {
    throw new Error(`"${specifier}" is not a provider: its default export was not made by defineProvider()`);
  }
  return candidate;
}

/**
 * A provider given by path: a module file, or a package's directory (a checkout or an unpacked
 * tarball), whose package.json says which module is its entry, as `import` of the package would.
 */
function resolveProviderPath(path: string): string {
  if (!existsSync(path)) throw new Error(`provider path ${path} does not exist`);
  if (!statSync(path).isDirectory()) return path;
  const manifestPath = join(path, 'package.json');
  if (!existsSync(manifestPath)) {
    throw new Error(
      `provider path ${path} is a directory without a package.json; give the package's directory or its module file (for example dist/index.js)`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: string | Record<string, unknown>;
    main?: string;
  };
  const entry = join(path, exportEntry(manifest.exports) ?? manifest.main ?? 'index.js');
  if (!existsSync(entry)) {
    throw new Error(`provider package ${path} has no built entry ${entry}; build it first (npm run build)`);
  }
  return entry;
}

/** From the working directory, else from where `iinfra provider install` puts packages. */
function resolveInstalledProvider(name: string, from: string): string {
  try {
    return resolvePackageEntry(name, from);
  } catch (error) {
    try {
      return resolvePackageEntry(name, defaultProvidersDir());
    } catch {
      throw error;
    }
  }
}

/**
 * Finds an installed package's ESM entry the way `import` would from `from`:
 * the nearest node_modules/<name>, then its exports "." (import, then default)
 * or main. (require.resolve cannot: it ignores the "import" condition.)
 */
export function resolvePackageEntry(name: string, from: string): string {
  let dir = resolve(from);
  for (;;) {
    const packageDir = join(dir, 'node_modules', name);
    const manifestPath = join(packageDir, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        exports?: string | Record<string, unknown>;
        main?: string;
      };
      const entry = exportEntry(manifest.exports) ?? manifest.main ?? 'index.js';
      return join(packageDir, entry);
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find provider package "${name}" from ${from}; is it installed?`);
    dir = parent;
  }
}

function exportEntry(exports: string | Record<string, unknown> | undefined): string | undefined {
  if (exports === undefined) return undefined;
  if (typeof exports === 'string') return exports;
  const root = '.' in exports ? exports['.'] : exports;
  if (typeof root === 'string') return root;
  if (root && typeof root === 'object') {
    const conditions = root as Record<string, unknown>;
    for (const condition of ['import', 'node', 'default']) {
      const target = conditions[condition];
      if (typeof target === 'string') return target;
      if (target && typeof target === 'object') {
        const nested = exportEntry({ '.': target } as Record<string, unknown>);
        if (nested) return nested;
      }
    }
  }
  return undefined;
}

/** The version of @immutable-infra/core this manager runs with. */
export function runningCoreVersion(): string {
  const path = createRequire(import.meta.url).resolve('@immutable-infra/core/package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/**
 * Whether the host may load the provider: its core range must include the
 * running core, and it must implement the Cluster API contract of the
 * installed CRDs. Uses the same words as `iinfra compat check` and the UI.
 */
export function admitProvider(
  provider: Provider,
  coreVersion: string,
  installedContract: CapiContractVersion | undefined,
): Verdict {
  const compatibility = { ...provider.manifest };
  const verdicts = [checkCore(compatibility, coreVersion)];
  if (installedContract) verdicts.push(checkContract(compatibility, installedContract));
  const failing = verdicts.filter((v) => !v.compatible);
  return {
    compatible: failing.length === 0,
    reasons: (failing.length > 0 ? failing : verdicts).flatMap((v) => v.reasons),
  };
}
