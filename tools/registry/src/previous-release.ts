import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { runNpm } from './npm-command.ts';
import { buildRelease, type Release, readReleases } from './released-builds.ts';
import type { RunningRegistry } from './verdaccio.ts';
import { publishTarball, repoRoot } from './workspace-packages.ts';

/** The newest released version of a package, from releases.json. */
export function latestRelease(name: string, root = repoRoot): Release {
  const releases = readReleases(root).filter((r) => r.name === name);
  const newest = releases.sort((a, b) => semver.rcompare(a.version, b.version))[0];
  if (!newest) throw new Error(`releases.json records no release of ${name}`);
  return newest;
}

/** A file of a package folder as it was released (`git show <commit>:<path>/<file>`). */
export function releasedFile(release: Release, file: string, root = repoRoot): string {
  return execFileSync('git', ['show', `${release.commit}:${release.path}/${file}`], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * What installing `roots` from a registry pulls in of ours: each release and, for each of its
 * `@immutable-infra/*` dependencies and peers, the release made from the same commit when there is
 * one (what was released together), else the newest release inside the range.
 */
export function releaseClosure(roots: readonly Release[], root = repoRoot): Release[] {
  const all = readReleases(root);
  const chosen = new Map<string, Release>();
  const queue = [...roots];
  while (queue.length > 0) {
    const release = queue.shift() as Release;
    if (chosen.has(release.name)) continue;
    chosen.set(release.name, release);
    const manifest = JSON.parse(releasedFile(release, 'package.json', root)) as Record<
      string,
      Record<string, string> | undefined
    >;
    const wanted = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const [name, range] of Object.entries(wanted)) {
      if (!name.startsWith('@immutable-infra/') || chosen.has(name)) continue;
      const candidates = all.filter((r) => r.name === name && semver.satisfies(r.version, range));
      const pick =
        candidates.find((r) => r.commit === release.commit) ??
        candidates.sort((a, b) => semver.rcompare(a.version, b.version))[0];
      if (!pick) throw new Error(`${release.name}@${release.version} needs ${name}@${range}, never released`);
      queue.push(pick);
    }
  }
  return [...chosen.values()];
}

/**
 * A scratch project outside the repository with `roots` installed from the registry, after
 * publishing them and what they need of ours (rebuilt from their release commits, cached): a host
 * of that release, as a site that installed it from its registry runs it. Third-party packages
 * come through the registry's upstream.
 */
export function installReleased(
  roots: readonly Release[],
  registry: Pick<RunningRegistry, 'url' | 'npmrc'>,
  onProgress: (message: string) => void = () => {},
): string {
  for (const release of releaseClosure(roots)) {
    onProgress(`publishing ${release.name}@${release.version} built from ${release.commit.slice(0, 12)}`);
    publishTarball(buildRelease(release), registry);
  }
  const dir = mkdtempSync(join(tmpdir(), 'iinfra-released-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'released-host',
      private: true,
      type: 'module',
      dependencies: Object.fromEntries(roots.map((r) => [r.name, r.version])),
    }),
  );
  onProgress(`installing ${roots.map((r) => `${r.name}@${r.version}`).join(', ')} from the registry`);
  runNpm(['install', '--no-audit', '--no-fund', '--registry', registry.url, '--userconfig', registry.npmrc], {
    cwd: dir,
  });
  for (const release of roots) {
    const installed = JSON.parse(
      readFileSync(join(dir, 'node_modules', ...release.name.split('/'), 'package.json'), 'utf8'),
    ) as { version: string };
    if (installed.version !== release.version)
      throw new Error(`npm installed ${release.name}@${installed.version}, not ${release.version}`);
  }
  return dir;
}

/**
 * A folder of a package as it was released (`git archive` of `<path>/<folder>` at the release
 * commit), extracted under `into`; undefined when the release had no such folder.
 */
export function releasedFolder(
  release: Release,
  folder: string,
  into: string,
  root = repoRoot,
): string | undefined {
  const path = `${release.path}/${folder}`;
  try {
    execFileSync('git', ['cat-file', '-e', `${release.commit}:${path}`], { cwd: root, stdio: 'ignore' });
  } catch {
    return undefined;
  }
  execFileSync(
    'sh',
    ['-c', 'git archive "$1" "$2" | tar -x -C "$3"', 'archive', release.commit, path, into],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return join(into, path);
}
