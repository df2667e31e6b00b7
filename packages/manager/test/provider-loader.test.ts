import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProvider, resolvePackageEntry } from '../src/runtime/provider-loader.js';

describe('resolvePackageEntry', () => {
  it('finds an ESM-only package through its exports import condition, as import would', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    expect(resolvePackageEntry('@immutable-infra/core', here)).toMatch(
      /@immutable-infra\/core\/dist\/index\.js$/,
    );
  });

  it('names the package when it is not installed', () => {
    expect(() => resolvePackageEntry('@example/provider-nowhere', '/')).toThrow(
      'cannot find provider package "@example/provider-nowhere" from /; is it installed?',
    );
  });

  it('imports an ESM-only package by name and refuses it when its default export is not a provider', async () => {
    // core is ESM-only (exports "import" only) and always built before these tests run.
    await expect(
      loadProvider('@immutable-infra/core', fileURLToPath(new URL('.', import.meta.url))),
    ).rejects.toThrow(
      '"@immutable-infra/core" is not a provider: its default export was not made by defineProvider()',
    );
  });

  it('loads a package given by its directory through its package.json, as import of the package would', async () => {
    // A path to a package's directory (a checkout, an unpacked tarball) resolves to its entry, not to a directory import.
    const coreDir = fileURLToPath(new URL('../../core', import.meta.url));
    await expect(loadProvider(coreDir)).rejects.toThrow(`"${coreDir}" is not a provider`);
  });

  it('says what is wrong with a provider path instead of failing on the import', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    await expect(loadProvider('./no-such-provider', here)).rejects.toThrow(
      `provider path ${here}no-such-provider does not exist`,
    );
    await expect(loadProvider('./fixtures', here)).rejects.toThrow(
      `provider path ${here}fixtures is a directory without a package.json`,
    );
  });
});
