import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defineKind,
  defineProvider,
  done,
  generateCrd,
  INFRASTRUCTURE_GROUP,
  type InfraClusterHooks,
  type InfraMachineHooks,
  infraClusterSpecFields,
  infraClusterStatusFields,
  infraMachineSpecFields,
  infraMachineStatusFields,
  type KindDefinition,
  providerKinds,
} from '@immutable-infra/core';
import { stringify } from 'yaml';
import { z } from 'zod';

const contract = { v1beta1: ['v1beta1'], v1beta2: ['v1beta1'] };
const version = (spec: z.ZodObject, status: z.ZodObject) => [
  { name: 'v1beta1', storage: true, spec, status },
];

/** Hooks a test swaps in for the scaffold's do-nothing ones (see `test/platform-fixture.ts`). */
export interface FixtureHooks {
  infraCluster?: Pick<InfraClusterHooks<KindDefinition>, 'reconcile' | 'delete'>;
  infraMachine?: Pick<InfraMachineHooks<KindDefinition>, 'reconcile' | 'delete'>;
}

/** A provider with nothing but the contract's kinds, as a third party's first scaffold would have. */
export function fixtureProvider(
  manifest: { version?: string; coreRange?: string; platform?: string } = {},
  hooks: FixtureHooks = {},
) {
  const base = { group: INFRASTRUCTURE_GROUP, scope: 'Namespaced' as const, contract };
  const cluster = defineKind({
    ...base,
    kind: 'FixtureCluster',
    plural: 'fixtureclusters',
    role: 'InfraCluster',
    versions: version(z.object(infraClusterSpecFields), z.object(infraClusterStatusFields)),
  });
  const machine = defineKind({
    ...base,
    kind: 'FixtureMachine',
    plural: 'fixturemachines',
    role: 'InfraMachine',
    versions: version(z.object(infraMachineSpecFields), z.object(infraMachineStatusFields)),
  });
  const template = defineKind({
    ...base,
    kind: 'FixtureMachineTemplate',
    plural: 'fixturemachinetemplates',
    role: 'InfraMachineTemplate',
    versions: version(
      z.object({ template: z.object({ spec: z.object(infraMachineSpecFields) }) }),
      z.object({}),
    ),
  });
  return defineProvider({
    manifest: {
      name: '@example/provider-fixture',
      version: manifest.version ?? '0.3.0',
      platform: manifest.platform ?? 'fixture-cloud',
      coreRange: manifest.coreRange ?? '>=0.5.0 <0.6.0',
      capiContracts: ['v1beta2'],
      kubernetesVersions: ['1.35'],
    },
    infraCluster: {
      kind: cluster,
      reconcile: async () => done(),
      delete: async () => done(),
      ...(hooks.infraCluster as Partial<InfraClusterHooks<typeof cluster>>),
    },
    infraMachine: {
      kind: machine,
      reconcile: async () => done(),
      delete: async () => done(),
      ...(hooks.infraMachine as Partial<InfraMachineHooks<typeof machine>>),
    },
    infraMachineTemplate: template,
  });
}

/**
 * The package folder such a provider publishes: package.json, generated CRDs, clusterctl metadata
 * (in `dir`, made if missing; a new temporary folder by default).
 */
export function fixturePackage(
  provider: ReturnType<typeof fixtureProvider>,
  dir = mkdtempSync(join(tmpdir(), 'iinfra-conformance-')),
): string {
  mkdirSync(dir, { recursive: true });
  const { manifest } = provider;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: manifest.name,
      version: manifest.version,
      peerDependencies: { '@immutable-infra/core': manifest.coreRange },
      immutableInfra: {
        platform: manifest.platform,
        capiContracts: manifest.capiContracts,
        kubernetesVersions: manifest.kubernetesVersions,
      },
    }),
  );
  mkdirSync(join(dir, 'crds'));
  for (const kind of providerKinds(provider)) {
    const crd = generateCrd(kind);
    writeFileSync(join(dir, 'crds', `${crd.metadata.name}.yaml`), stringify(crd));
  }
  mkdirSync(join(dir, 'clusterctl'));
  writeFileSync(
    join(dir, 'clusterctl', 'metadata.yaml'),
    stringify({
      apiVersion: 'clusterctl.cluster.x-k8s.io/v1alpha3',
      kind: 'Metadata',
      releaseSeries: [{ major: 0, minor: 3, contract: 'v1beta2' }],
    }),
  );
  return dir;
}
