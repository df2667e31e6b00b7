import { execFileSync } from 'node:child_process';

/**
 * Writes `rootfs`'s contents as a reproducible, uncompressed layer tar: entries in name order,
 * modification times at the epoch, owned by root (numeric ids) except the paths given in
 * `owners` (relative path -> "uid:gid"). crane compresses it into the image.
 */
export function writeLayerTar(rootfs: string, out: string, owners: Record<string, string> = {}): void {
  const common = [
    '--sort=name',
    '--mtime=@0',
    '--numeric-owner',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
  ];
  const owned = Object.keys(owners);
  execFileSync(
    'tar',
    [
      ...common,
      '--owner=0',
      '--group=0',
      '-C',
      rootfs,
      ...owned.flatMap((p) => ['--exclude', `./${p}`]),
      '-cf',
      out,
      '.',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  for (const [path, owner] of Object.entries(owners)) {
    const [uid, gid] = owner.split(':');
    execFileSync(
      'tar',
      [...common, `--owner=${uid}`, `--group=${gid}`, '-C', rootfs, '-rf', out, `./${path}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  }
}
