import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acmeProvider } from '../examples/minimal-provider.js';
import { generateCrd, isProvider, providerKinds } from '../src/index.js';

const example = readFileSync(new URL('../examples/minimal-provider.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe("the README's minimal provider", () => {
  it('is the checked example, verbatim, in under 100 lines', () => {
    expect(readme).toContain(example.trim());
    expect(example.trim().split('\n').length).toBeLessThan(100);
  });

  it('defines a provider whose kinds generate valid CRDs', () => {
    const provider = acmeProvider({
      findVm: async () => undefined,
      createVm: async () => {},
      deleteVm: async () => {},
    });
    expect(isProvider(provider)).toBe(true);
    const crds = providerKinds(provider).map(generateCrd);
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'acmeclusters.infrastructure.cluster.x-k8s.io',
      'acmemachines.infrastructure.cluster.x-k8s.io',
      'acmemachinetemplates.infrastructure.cluster.x-k8s.io',
    ]);
    const machineStatus = crds[1]?.spec.versions[0]?.schema.openAPIV3Schema.properties?.status;
    expect(Object.keys(machineStatus?.properties ?? {})).toContain('initialization');
  });
});
