import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNpm } from './npm-command.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface WorkspacePackage {
  name: string;
  version: string;
  dir: string;
  private: boolean;
  manifest: Record<string, unknown> & {
    peerDependencies?: Record<string, string>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    immutableInfra?: { provider: string; capiContracts: string[]; kubernetesVersions: string[] };
  };
}

/** Every workspace package (packages/*, providers/*, tools/*), read from disk. */
export function workspacePackages(root = repoRoot): WorkspacePackage[] {
  const result: WorkspacePackage[] = [];
  for (const parent of ['packages', 'providers', 'tools']) {
    let entries: string[];
    try {
      entries = readdirSync(join(root, parent));
    } catch {
      continue;
    }
    for (const entry of entries) {
      const dir = join(root, parent, entry);
      let manifest: WorkspacePackage['manifest'];
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      result.push({
        name: String(manifest.name),
        version: String(manifest.version),
        dir,
        private: manifest.private === true,
        manifest,
      });
    }
  }
  return result;
}

/** Packs a package directory (which must be built) into `destination`; returns the tarball path. */
export function packPackage(dir: string, destination: string): string {
  const out = runNpm(['pack', '--json', '--pack-destination', destination], { cwd: dir });
  const [info] = JSON.parse(out) as { filename: string }[];
  if (!info) throw new Error(`npm pack in ${dir} printed nothing`);
  return join(destination, info.filename);
}

/** Publishes tarballs to a registry with an npmrc carrying its token; an already published version is an error. */
export function publishTarball(tarball: string, registry: { url: string; npmrc: string }): void {
  runNpm([
    'publish',
    tarball,
    '--registry',
    registry.url,
    '--userconfig',
    registry.npmrc,
    '--access',
    'public',
    '--tag',
    'latest',
  ]);
}
