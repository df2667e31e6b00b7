import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolvePackageEntry } from '../src/runtime/provider-loader.js';

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
});
