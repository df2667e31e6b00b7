// The base layer from Debian packages: apt's candidate versions, checked, with the non-root user.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BASE_PACKAGES, buildBaseLayer, NONROOT } from '../src/base-layer.ts';
import { cacheDir } from '../src/tools.ts';

describe('the base layer', () => {
  it('holds apt candidate versions of the runtime packages, checked against apt, with the non-root user', () => {
    const base = buildBaseLayer(cacheDir());
    // Built once, then reused: the cache key is the package versions.
    expect(buildBaseLayer(cacheDir())).toEqual({ ...base, cached: true });
    expect(base.packages.map((p) => p.name)).toEqual([...BASE_PACKAGES]);
    for (const pkg of base.packages) {
      const policy = execFileSync('apt-cache', ['policy', pkg.name], { encoding: 'utf8' });
      expect(/Candidate:\s*(\S+)/.exec(policy)?.[1], pkg.name).toBe(pkg.version);
      expect(pkg.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const listing = execFileSync('tar', ['-tvf', base.tar, '--numeric-owner'], {
      encoding: 'utf8',
      maxBuffer: 32 << 20,
    });
    expect(listing).toMatch(/^drwxrwxrwt 0\/0 .* \.\/tmp\/$/m);
    expect(listing).toMatch(
      new RegExp(`^drwx------ ${NONROOT.uid}/${NONROOT.gid} .* \\./home/nonroot/$`, 'm'),
    );
    expect(listing).toContain('./etc/ssl/certs/ca-certificates.crt');
    expect(listing).not.toMatch(/ \.\/bin\/(ba)?sh$/m);
  });
});
