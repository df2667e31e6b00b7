// The base layer: the minimal runtime the pinned Node needs, from Debian packages only. The
// packages are fetched with `apt-get download` (apt checks them against the signed archive
// index), their SHA-256 is compared with the one apt's index records, and `dpkg-deb -x` unpacks
// them into a root filesystem with a non-root user, a writable /tmp and the CA bundle that
// ca-certificates' maintainer script would have made. The layer is cached by the package versions.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { writeLayerTar } from './layer-tar.ts';

/**
 * What the pinned Node binary links against (glibc, libgcc, libstdc++; gcc-12-base, which both
 * depend on, holds only their copyright), CA certificates and time zones.
 */
export const BASE_PACKAGES = [
  'libc6',
  'libgcc-s1',
  'libstdc++6',
  'gcc-12-base',
  'ca-certificates',
  'tzdata',
] as const;

/** The non-root user every image runs as (distroless' `nonroot`). */
export const NONROOT = { name: 'nonroot', uid: 65532, gid: 65532, home: '/home/nonroot' } as const;

export interface DebianPackage {
  name: string;
  version: string;
  architecture: string;
  /** SHA-256 of the .deb, as apt's index records it and as checked after the download. */
  sha256: string;
  /** The archive's file name of the .deb (pool path), for the SBOM. */
  filename: string;
}

export interface BaseLayer {
  /** An uncompressed, reproducible tar of the root filesystem. */
  tar: string;
  packages: DebianPackage[];
  cached: boolean;
}

function run(command: string, args: string[], cwd?: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The candidate version of each package in apt's index, and that version's index record. */
function candidates(names: readonly string[]): DebianPackage[] {
  return names.map((name) => {
    const policy = run('apt-cache', ['policy', name]);
    const version = /Candidate:\s*(\S+)/.exec(policy)?.[1];
    if (!version || version === '(none)')
      throw new Error(`apt knows no candidate for ${name}; run apt-get update first`);
    const record = run('apt-cache', ['show', `${name}=${version}`]).split('\n\n')[0] ?? '';
    const field = (key: string) => new RegExp(`^${key}: (.+)$`, 'm').exec(record)?.[1]?.trim();
    const sha256 = field('SHA256');
    const architecture = field('Architecture');
    const filename = field('Filename');
    if (!sha256 || !architecture || !filename)
      throw new Error(`apt's record of ${name}=${version} has no SHA256`);
    return { name, version, architecture, sha256, filename };
  });
}

/** apt's index is empty on a fresh machine: refresh it once when a package has no candidate. */
function ensureAptIndex(): void {
  const policy = run('apt-cache', ['policy', 'libc6']);
  if (/Candidate:\s*\S+/.test(policy) && !/Candidate:\s*\(none\)/.test(policy)) return;
  run('apt-get', ['update', '-qq']);
}

const passwd = `root:x:0:0:root:/root:/sbin/nologin\n${NONROOT.name}:x:${NONROOT.uid}:${NONROOT.gid}:${NONROOT.name}:${NONROOT.home}:/sbin/nologin\n`;
const group = `root:x:0:\n${NONROOT.name}:x:${NONROOT.gid}:\n`;

export function buildBaseLayer(
  cacheDir: string,
  onProgress: (message: string) => void = () => {},
): BaseLayer {
  ensureAptIndex();
  const packages = candidates(BASE_PACKAGES);
  const key = createHash('sha256')
    .update(JSON.stringify({ packages, passwd, group, layout: 2 }))
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheDir, `base-${key}`);
  const tar = join(dir, 'base.tar');
  if (existsSync(tar)) return { tar, packages, cached: true };

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, '.base-'));
  try {
    const debs = join(work, 'debs');
    const rootfs = join(work, 'rootfs');
    mkdirSync(debs);
    mkdirSync(rootfs);
    onProgress(`base: apt-get download ${packages.map((p) => `${p.name}=${p.version}`).join(' ')}`);
    // As root apt drops to the _apt user for downloads, who cannot write into a private temp dir.
    run(
      'apt-get',
      ['download', '-qq', '-o', 'APT::Sandbox::User=root', ...packages.map((p) => `${p.name}=${p.version}`)],
      debs,
    );
    for (const pkg of packages) {
      const file = readdirSync(debs).find((f) => f.startsWith(`${pkg.name}_`) && f.endsWith('.deb'));
      if (!file) throw new Error(`apt-get download left no .deb for ${pkg.name}`);
      const sha256 = createHash('sha256')
        .update(readFileSync(join(debs, file)))
        .digest('hex');
      if (sha256 !== pkg.sha256) throw new Error(`${file}: SHA-256 ${sha256} is not apt's ${pkg.sha256}`);
      run('dpkg-deb', ['-x', join(debs, file), rootfs]);
    }
    // Documentation and lintian overrides are not needed at run time; the copyright files stay.
    for (const path of ['usr/share/man', 'usr/share/info', 'usr/share/lintian', 'usr/share/locale'])
      rmSync(join(rootfs, path), { recursive: true, force: true });
    const docs = join(rootfs, 'usr/share/doc');
    for (const pkg of existsSync(docs) ? readdirSync(docs) : [])
      if (lstatSync(join(docs, pkg)).isDirectory())
        for (const file of readdirSync(join(docs, pkg)))
          if (file !== 'copyright') rmSync(join(docs, pkg, file), { recursive: true, force: true });

    // What ca-certificates' postinst (update-ca-certificates) would write: the bundle, in name order.
    const mozilla = join(rootfs, 'usr/share/ca-certificates/mozilla');
    const certs = readdirSync(mozilla)
      .filter((f) => f.endsWith('.crt'))
      .sort();
    mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
    writeFileSync(
      join(rootfs, 'etc/ssl/certs/ca-certificates.crt'),
      certs
        .map((f) => readFileSync(join(mozilla, f), 'utf8').trimEnd())
        .join('\n')
        .concat('\n'),
    );
    writeFileSync(join(rootfs, 'etc/passwd'), passwd);
    writeFileSync(join(rootfs, 'etc/group'), group);
    writeFileSync(join(rootfs, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
    // tzdata's postinst links /etc/localtime; UTC is what a container expects.
    run('ln', ['-sf', '/usr/share/zoneinfo/Etc/UTC', join(rootfs, 'etc/localtime')]);
    writeFileSync(join(rootfs, 'etc/timezone'), 'Etc/UTC\n');
    // /tmp is world-writable with the sticky bit; under a read-only root filesystem mount an emptyDir there.
    mkdirSync(join(rootfs, 'tmp'));
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    mkdirSync(join(rootfs, NONROOT.home.slice(1)), { recursive: true });
    chmodSync(join(rootfs, NONROOT.home.slice(1)), 0o700);

    const staged = join(work, 'base.tar');
    writeLayerTar(rootfs, staged, { [NONROOT.home.slice(1)]: `${NONROOT.uid}:${NONROOT.gid}` });
    const final = mkdtempSync(join(cacheDir, '.base-out-'));
    renameSync(staged, join(final, 'base.tar'));
    writeFileSync(join(final, 'packages.json'), `${JSON.stringify(packages, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(final, dir);
    return { tar, packages, cached: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
