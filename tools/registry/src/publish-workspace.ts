import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { buildRelease, type Release, readReleases } from './released-builds.ts';
import type { RunningRegistry } from './verdaccio.ts';
import {
  packPackage,
  publishTarball,
  type WorkspacePackage,
  workspacePackages,
} from './workspace-packages.ts';

export interface PublishedSet {
  /** Workspace packages published, name -> version. */
  published: Map<string, string>;
  /** Private workspace packages packed (not publishable), name -> tarball. */
  tarballs: Map<string, string>;
  /** Released core versions published next to the workspace one. */
  releasedCores: string[];
  /**
   * For each released core, the versions of our other packages released from
   * the same commit: the host (manager, management plane, testkit) a platform with that core runs.
   */
  releasedWith: Map<string, Map<string, string>>;
  workspaceCore: string;
  /** Where the tarballs were packed: the caller removes it once it no longer installs from `tarballs`. */
  packDir: string;
}

export interface PublishOptions {
  /**
   * Also publish every released version, built from its release commit (true by default): a
   * compatibility run needs them; an install of the workspace's own versions does not.
   */
  releases?: boolean;
}

/**
 * Publishes what a compatibility run needs: every released core version (built
 * from its release commit) and the workspace's publishable packages (which
 * must be built), each as a packed tarball, oldest version first so `latest`
 * ends on the newest. Private packages are only packed.
 */
export function publishWorkspace(
  registry: Pick<RunningRegistry, 'url' | 'npmrc'>,
  onProgress: (message: string) => void = () => {},
  options: PublishOptions = {},
): PublishedSet {
  const packDir = mkdtempSync(join(tmpdir(), 'iinfra-pack-'));
  const packages = workspacePackages();
  const core = packages.find((p) => p.name === '@immutable-infra/core');
  if (!core) throw new Error('no @immutable-infra/core in the workspace');
  const workspaceVersions = new Map(packages.map((p) => [p.name, p.version]));
  const releases = (options.releases === false ? [] : readReleases())
    .filter((r) => workspaceVersions.get(r.name) !== r.version)
    .sort((a, b) => semver.compare(a.version, b.version));
  for (const release of releases) {
    onProgress(`building ${release.name}@${release.version} from ${release.commit.slice(0, 12)}`);
    publishTarball(buildRelease(release as Release), registry);
  }
  const coreReleases = releases.filter((r) => r.name === core.name);
  const releasedCores = coreReleases.map((r) => r.version);
  const releasedWith = new Map(
    coreReleases.map((c) => [
      c.version,
      new Map(
        releases.filter((r) => r.commit === c.commit && r.name !== core.name).map((r) => [r.name, r.version]),
      ),
    ]),
  );
  const published = new Map<string, string>();
  const tarballs = new Map<string, string>();
  for (const pkg of packages.filter(
    (p: WorkspacePackage) => p.dir.includes('/packages/') || p.dir.includes('/providers/') || p.private,
  )) {
    if (pkg.private) {
      if (pkg.manifest.main || pkg.manifest.exports) tarballs.set(pkg.name, packPackage(pkg.dir, packDir));
      continue;
    }
    onProgress(`publishing ${pkg.name}@${pkg.version}`);
    publishTarball(packPackage(pkg.dir, packDir), registry);
    published.set(pkg.name, pkg.version);
  }
  return { published, tarballs, releasedCores, releasedWith, workspaceCore: core.version, packDir };
}
