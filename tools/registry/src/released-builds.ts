import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packPackage, repoRoot, workspacePackages } from './workspace-packages.ts';

export interface Release {
  name: string;
  version: string;
  /** The package's folder at that commit. */
  path: string;
  commit: string;
}

export function readReleases(root = repoRoot): Release[] {
  const file = JSON.parse(readFileSync(join(root, 'tools', 'registry', 'releases.json'), 'utf8')) as {
    releases: Release[];
  };
  return file.releases;
}

function cacheDir(): string {
  const base =
    process.env.IINFRA_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'immutable-infra');
  return join(base, 'releases');
}

/**
 * The tarball of a released version, built from the commit it was released
 * at: the package folder, the shared tsconfig and the compatibility matrix are taken from git, built
 * with this workspace's tsup (inside the repo so that its dependencies resolve
 * from the root node_modules), packed, and cached by version and commit.
 */
export function buildRelease(release: Release, root = repoRoot): string {
  const slug = `${release.name.replace('@', '').replace('/', '-')}-${release.version}-${release.commit.slice(0, 12)}`;
  const cached = join(cacheDir(), `${slug}.tgz`);
  if (existsSync(cached)) return cached;
  try {
    execFileSync('git', ['cat-file', '-e', `${release.commit}^{commit}`], { cwd: root, stdio: 'ignore' });
  } catch {
    throw new Error(
      `${release.name}@${release.version} was released from commit ${release.commit}, which this clone does not have (a shallow clone?)`,
    );
  }
  const work = join(root, 'node_modules', '.cache', 'iinfra-releases', slug);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  execFileSync(
    'sh',
    [
      '-c',
      // The manager's build copies the root compat-matrix.json into the package
      // (the matrix it shipped with), so the release's own copy comes along.
      'git archive "$1" "$2" tsconfig.base.json compat-matrix.json | tar -x -C "$3"',
      'archive',
      release.commit,
      release.path,
      work,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const packageDir = join(work, release.path);
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  if (manifest.name !== release.name || manifest.version !== release.version) {
    throw new Error(
      `releases.json says ${release.name}@${release.version} is ${release.path} at ${release.commit}, but that folder holds ${manifest.name}@${manifest.version}`,
    );
  }
  execFileSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
    cwd: packageDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  mkdirSync(cacheDir(), { recursive: true });
  const tarball = packPackage(packageDir, work);
  cpSync(tarball, cached);
  rmSync(work, { recursive: true, force: true });
  return cached;
}

/** Records the workspace's publishable packages at HEAD for every version not yet in releases.json. */
export function recordRelease(root = repoRoot): string[] {
  const file = join(root, 'tools', 'registry', 'releases.json');
  const document = JSON.parse(readFileSync(file, 'utf8')) as { releases: Release[] };
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const added: string[] = [];
  for (const pkg of workspacePackages(root).filter((p) => !p.private)) {
    if (document.releases.some((r) => r.name === pkg.name && r.version === pkg.version)) continue;
    document.releases.push({
      name: pkg.name,
      version: pkg.version,
      path: pkg.dir.slice(root.length + 1),
      commit,
    });
    added.push(`${pkg.name}@${pkg.version}`);
  }
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return added;
}
