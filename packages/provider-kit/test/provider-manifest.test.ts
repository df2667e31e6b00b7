import { describe, expect, it } from 'vitest';
import { providerManifest } from '../src/index.js';

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
