import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import {
  ANCHOR_API_VERSION,
  type ExtensionManifest,
  gateExtension,
  parseExtensionManifest,
} from '@immutable-infra/core';

export interface RegisteredExtension {
  /** Stable id in URLs: the package name. */
  id: string;
  manifest?: ExtensionManifest;
  load: boolean;
  /** Why it is not loaded: gated by anchor API version, or an invalid manifest. */
  reason?: string;
  /**
   * Manifest entries this host skipped (an anchor of a later anchor API), one
   * sentence each: the extension's other entries load.
   */
  notes?: string[];
  bundlePath?: string;
  /** The server-side platform-proxy module (`platformProxy`), for loadable extensions that declare one. */
  platformProxyPath?: string;
}

/**
 * The UI extensions of installed provider packages: each package directory's
 * package.json names its manifest (`immutableInfra.uiExtension`). Manifests
 * are read and gated here; bundles are served only for extensions that load.
 */
export class ExtensionRegistry {
  readonly extensions: RegisteredExtension[];

  constructor(packageDirs: readonly string[], hostAnchorApi = ANCHOR_API_VERSION) {
    this.extensions = packageDirs.map((dir) => readExtension(dir, hostAnchorApi));
  }

  bundle(id: string): string | undefined {
    return this.extensions.find((e) => e.id === id && e.load)?.bundlePath;
  }

  platformProxy(id: string): string | undefined {
    return this.extensions.find((e) => e.id === id && e.load)?.platformProxyPath;
  }
}

function readExtension(dir: string, hostAnchorApi: string): RegisteredExtension {
  const packageJson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    immutableInfra?: { uiExtension?: string };
  };
  const manifestFile = packageJson.immutableInfra?.uiExtension;
  if (!manifestFile)
    return { id: packageJson.name, load: false, reason: `${packageJson.name} ships no UI extension` };
  const parsed = parseExtensionManifest(JSON.parse(readFileSync(join(dir, manifestFile), 'utf8')));
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    return {
      id: packageJson.name,
      load: false,
      reason: `${packageJson.name} has an invalid UI extension manifest: ${problems}`,
    };
  }
  const gate = gateExtension(parsed.manifest, hostAnchorApi);
  const notes = parsed.notes.length > 0 ? { notes: parsed.notes } : {};
  const root = resolve(dir);
  const inside = (file: string) => {
    const path = resolve(root, file);
    return path.startsWith(root + sep) && existsSync(path) ? path : undefined;
  };
  const bundlePath = inside(parsed.manifest.bundle);
  const platformProxyPath = parsed.manifest.platformProxy ? inside(parsed.manifest.platformProxy) : undefined;
  const missing = !bundlePath
    ? `bundle ${parsed.manifest.bundle} is missing`
    : parsed.manifest.platformProxy && !platformProxyPath
      ? `platform proxy module ${parsed.manifest.platformProxy} is missing`
      : undefined;
  if (missing)
    return { id: packageJson.name, manifest: parsed.manifest, ...notes, load: false, reason: missing };
  return {
    id: packageJson.name,
    manifest: parsed.manifest,
    ...notes,
    load: gate.load,
    ...(gate.reason ? { reason: gate.reason } : {}),
    ...(bundlePath ? { bundlePath } : {}),
    ...(platformProxyPath ? { platformProxyPath } : {}),
  };
}
