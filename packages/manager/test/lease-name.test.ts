import { clusterctlArtifacts } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { defaultLeaseName } from '../src/runtime/leader-election.js';

describe('the default leader election Lease', () => {
  it('is named for the loaded providers, in any order', () => {
    expect(defaultLeaseName(['@immutable-infra/provider-dcs'])).toBe('iinfra-manager-dcs');
    expect(defaultLeaseName(['@immutable-infra/provider-hcs'])).toBe('iinfra-manager-hcs');
    expect(defaultLeaseName(['@immutable-infra/provider-hcs', '@immutable-infra/provider-dcs'])).toBe(
      'iinfra-manager-dcs-hcs',
    );
    // A third party's package, and a provider loaded from a path, still give a valid Lease name.
    expect(defaultLeaseName(['@acme/provider-Bare_Metal'])).toBe('iinfra-manager-bare-metal');
    expect(defaultLeaseName(['my.provider'])).toBe('iinfra-manager-my-provider');
  });

  it('is the one the clusterctl manifest of a provider passes', () => {
    for (const provider of ['dcs', 'hcs']) {
      const packageName = `@immutable-infra/provider-${provider}`;
      const { components } = clusterctlArtifacts({
        provider,
        packageName,
        version: '0.4.0',
        contract: 'v1beta2',
        crds: [],
      });
      const deployment = components.find((c) => c.kind === 'Deployment') as {
        spec: { template: { spec: { containers: { args: string[] }[] } } };
      };
      expect(deployment.spec.template.spec.containers[0]?.args).toContain(
        `--leader-election-id=${defaultLeaseName([packageName])}`,
      );
    }
  });
});
