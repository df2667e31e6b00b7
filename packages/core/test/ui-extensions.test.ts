import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ANCHOR_API_VERSION,
  ANCHOR_IDS,
  type AnchorExport,
  type CreateClusterWorkflow,
  gateExtension,
  type MountableExtension,
  type PlatformProxyModule,
  parseExtensionManifest,
} from '../src/index.js';

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

  it('name an optional server-side platform proxy module inside the package', () => {
    const parsed = parseExtensionManifest({ ...manifest, platformProxy: 'dist/ui/platform-proxy.js' });
    expect(parsed.ok && parsed.manifest.platformProxy).toBe('dist/ui/platform-proxy.js');
    const outside = parseExtensionManifest({ ...manifest, platformProxy: '/etc/passwd.js' });
    expect(outside.ok ? [] : outside.problems.map((p) => p.path)).toEqual(['platformProxy']);
  });

  it('accept every anchor id, and no other', () => {
    for (const anchor of ANCHOR_IDS) {
      const entry = { anchor, id: 'x', title: 'X', export: 'x' };
      expect(parseExtensionManifest({ ...manifest, extensions: [entry] }).ok).toBe(true);
    }
  });
});

describe('anchor exports', () => {
  it('are data for the wizard and the node columns, mountable modules elsewhere', () => {
    expectTypeOf<AnchorExport<'cluster.create'>>().toEqualTypeOf<CreateClusterWorkflow>();
    expectTypeOf<AnchorExport<'credential.form'>>().toEqualTypeOf<MountableExtension<'credential.form'>>();
    expectTypeOf<PlatformProxyModule['operations'][string]>().returns.toEqualTypeOf<Promise<unknown>>();
  });
});
