import { describe, expect, it } from 'vitest';
import { ANCHOR_API_VERSION, gateExtension, parseExtensionManifest } from '../src/index.js';

const manifest = {
  name: '@immutable-infra/provider-dcs',
  version: '0.3.0',
  provider: 'dcs',
  anchorApi: '^1.0.0',
  bundle: 'dist/ui/extension.js',
  extensions: [
    { anchor: 'credential.form', id: 'dcs.credentials', title: 'DCS credentials', export: 'credentialForm' },
  ],
};

describe('UI extension manifests', () => {
  it('load when the host anchor API is in their range', () => {
    expect(ANCHOR_API_VERSION).toBe('1.0.0');
    expect(gateExtension(manifest)).toEqual({ load: true });
  });

  it('are gated with a reason naming both versions when the ranges disagree', () => {
    const gate = gateExtension({ ...manifest, anchorApi: '^2.0.0' }, '1.0.0');
    expect(gate.load).toBe(false);
    expect(gate.reason).toBe(
      '@immutable-infra/provider-dcs@0.3.0 was built for anchor API ^2.0.0, but this Fleet Essentials provides anchor API 1.0.0',
    );
  });

  it('report every problem with its path', () => {
    const parsed = parseExtensionManifest({
      ...manifest,
      anchorApi: 'one',
      bundle: '../outside.js',
      extensions: [{ anchor: 'nowhere', id: 'X', title: '', export: '1x' }],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'anchorApi',
        'bundle',
        'extensions.0.anchor',
        'extensions.0.id',
        'extensions.0.title',
        'extensions.0.export',
      ]),
    );
  });
});
