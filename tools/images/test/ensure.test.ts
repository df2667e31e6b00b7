// tools/images/ensure.sh: crane built from the pinned go-containerregistry module, cached.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir, ensureCrane, repoRoot } from '../src/tools.ts';

describe('tools/images/ensure.sh', () => {
  it('builds crane from the pinned module once and prints where it is', () => {
    const { crane, craneVersion } = ensureCrane();
    const pinned = /github\.com\/google\/go-containerregistry (v\S+)/.exec(
      readFileSync(join(repoRoot, 'tools/images/crane/go.mod'), 'utf8'),
    )?.[1];
    expect(craneVersion).toBe(pinned);
    expect(crane.startsWith(cacheDir())).toBe(true);
    expect(execFileSync(crane, ['version'], { encoding: 'utf8' }).trim()).toBe(pinned);
    // A second call reuses the cached binary.
    expect(ensureCrane().crane).toBe(crane);
  });
});
