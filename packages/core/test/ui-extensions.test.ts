import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ANCHOR_API_VERSION,
  ANCHOR_IDS,
  type AnchorExport,
  type CreateClusterWorkflow,
  gateExtension,
  type MountableExtension,
  type NodePoolCapacityExtension,
  type PlatformProxyModule,
  parseExtensionManifest,
  rolloutSurge,
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
    expect(ANCHOR_API_VERSION).toBe('1.1.0');
    expect(gateExtension(manifest)).toEqual({ load: true });
    expect(gateExtension({ ...manifest, anchorApi: '^1.1.0' })).toEqual({ load: true });
  });

  it('that need the capacity anchor are gated out by a 1.0 host, naming both versions', () => {
    const gate = gateExtension({ ...manifest, anchorApi: '^1.1.0' }, '1.0.0');
    expect(gate).toEqual({
      load: false,
      reason:
        '@immutable-infra/provider-dcs@0.3.0 was built for anchor API ^1.1.0, but this Fleet Essentials provides anchor API 1.0.0',
    });
  });

  it('skip an entry naming an anchor the host does not know, with a note, and keep the rest', () => {
    const capacity = {
      anchor: 'node-pool.capacity',
      id: 'dcs.capacity',
      title: 'IP pool capacity',
      export: 'c',
    };
    const later = { anchor: 'cluster.someday', id: 'dcs.later', title: 'Later', export: 'later' };
    const document = { ...manifest, extensions: [...manifest.extensions, capacity, later] };
    const parsed = parseExtensionManifest(document);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.manifest.extensions.map((e) => e.id)).toEqual(['dcs.credentials', 'dcs.capacity']);
    expect(parsed.notes).toEqual([
      'extensions.2 (dcs.later) names the anchor cluster.someday, which this Fleet Essentials does not provide; the entry is skipped',
    ]);
    // A host of anchor API 1.0.0 knows no capacity anchor: it skips that entry too.
    const older = parseExtensionManifest(
      document,
      ANCHOR_IDS.filter((a) => a !== 'node-pool.capacity'),
    );
    expect(older.ok && older.manifest.extensions.map((e) => e.id)).toEqual(['dcs.credentials']);
    expect(older.ok && older.notes.length).toBe(2);
  });

  it('still refuse an unknown anchor entry that is malformed, and an anchor that is no anchor id', () => {
    const parsed = parseExtensionManifest({
      ...manifest,
      extensions: [
        { anchor: 'cluster.someday', id: 'Bad Id', title: 'x', export: 'x' },
        { anchor: 'cluster.someday', id: 'x', title: 'x', export: 'x', extra: true },
        { anchor: 'Not An Anchor', id: 'y', title: 'y', export: 'y' },
      ],
    });
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.path)).toEqual([
      'extensions.0.id',
      'extensions.1',
      'extensions.2.anchor',
    ]);
  });

  it('may be left with no entry on an older host, and load nothing then', () => {
    const parsed = parseExtensionManifest({
      ...manifest,
      extensions: [{ anchor: 'cluster.someday', id: 'x', title: 'X', export: 'x' }],
    });
    expect(parsed.ok && parsed.manifest.extensions).toEqual([]);
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
      const parsed = parseExtensionManifest({ ...manifest, extensions: [entry] });
      expect(parsed.ok && parsed.notes).toEqual([]);
    }
  });
});

describe('anchor exports', () => {
  it('are data for the wizard and the node columns, mountable modules elsewhere', () => {
    expectTypeOf<AnchorExport<'cluster.create'>>().toEqualTypeOf<CreateClusterWorkflow>();
    expectTypeOf<AnchorExport<'node-pool.capacity'>>().toEqualTypeOf<NodePoolCapacityExtension>();
    expectTypeOf<AnchorExport<'credential.form'>>().toEqualTypeOf<MountableExtension<'credential.form'>>();
    expectTypeOf<PlatformProxyModule['operations'][string]>().returns.toEqualTypeOf<Promise<unknown>>();
  });
});

describe('the rollout surge a capacity check counts', () => {
  it('is maxSurge as a count, a percentage of the replicas rounded up, or 1 when unset', () => {
    expect(rolloutSurge(3, 2)).toBe(2);
    expect(rolloutSurge(3, '2')).toBe(2);
    expect(rolloutSurge(3, '50%')).toBe(2);
    expect(rolloutSurge(4, '25%')).toBe(1);
    expect(rolloutSurge(0, '25%')).toBe(0);
    expect(rolloutSurge(3, undefined)).toBe(1);
    expect(rolloutSurge(3, 'lots')).toBeUndefined();
    expect(rolloutSurge(3, -1)).toBeUndefined();
  });
});
