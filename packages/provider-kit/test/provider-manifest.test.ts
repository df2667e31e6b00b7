import { defineKind, done, isProvider } from '@immutable-infra/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { definePlatformProvider, providerKindBase, providerManifest } from '../src/index.js';

describe('providerManifest', () => {
  it("reads the manifest from the package's own facts", () => {
    const manifest = providerManifest({
      name: '@immutable-infra/provider-example',
      version: '1.2.3',
      peerDependencies: { '@immutable-infra/core': '>=0.3.0 <0.5.0' },
      immutableInfra: {
        platform: 'example',
        displayName: 'Example',
        capiContracts: ['v1beta2'],
        kubernetesVersions: ['1.34'],
      },
    });
    expect(manifest).toEqual({
      name: '@immutable-infra/provider-example',
      version: '1.2.3',
      platform: 'example',
      displayName: 'Example',
      coreRange: '>=0.3.0 <0.5.0',
      capiContracts: ['v1beta2'],
      kubernetesVersions: ['1.34'],
    });
  });
});

describe('definePlatformProvider', () => {
  const packageJson = {
    name: '@immutable-infra/provider-example',
    version: '1.2.3',
    peerDependencies: { '@immutable-infra/core': '>=0.5.0 <1.0.0' },
    immutableInfra: { platform: 'example', capiContracts: ['v1beta1'], kubernetesVersions: ['1.34'] },
  };
  const kind = (name: string) =>
    defineKind({
      ...providerKindBase('example'),
      kind: name,
      plural: `${name.toLowerCase()}s`,
      role: 'Other',
      versions: [{ name: 'v1beta1', storage: true, spec: z.object({}), status: z.object({}) }],
    });
  // Hooks that do nothing: only what the provider is made from is looked at here.
  const hooks = (name: string) => ({
    kind: kind(name),
    reconcile: async () => done(),
    delete: async () => done(),
  });
  const parts = (_settings: unknown) => ({
    infraCluster: hooks('ExampleCluster'),
    infraMachine: hooks('ExampleMachine'),
    infraMachineTemplate: kind('ExampleMachineTemplate'),
  });

  afterEach(() => vi.unstubAllEnvs());

  it('hands the parts the settings of the package and its alive version setting', () => {
    vi.stubEnv('EXAMPLE_PLUGIN_ALIVE_VERSION', 'v2.0.0');
    let seen: { credentialFinalizer: string; aliveVersion: string | undefined } | undefined;
    const provider = definePlatformProvider(
      packageJson,
      { environmentVariable: 'EXAMPLE_PLUGIN_ALIVE_VERSION' },
      (settings) => {
        seen = settings;
        return parts(settings);
      },
    );
    expect(isProvider(provider)).toBe(true);
    expect(provider.manifest).toEqual(providerManifest(packageJson));
    expect(seen?.aliveVersion).toBe('v2.0.0');
    expect(seen?.credentialFinalizer).toMatch(/example/);
    expect(
      definePlatformProvider(packageJson, { option: 'v1.0.0' }, (settings) => {
        seen = settings;
        return parts(settings);
      }).manifest.platform,
    ).toBe('example');
    expect(seen?.aliveVersion).toBe('v1.0.0');
  });
});
