import {
  clusterProvisioned,
  defineKind,
  defineProvider,
  done,
  INFRASTRUCTURE_GROUP,
  infraClusterSpecFields,
  infraClusterStatusFields,
  infraMachineSpecFields,
  infraMachineStatusFields,
  machineProvisioned,
  requeue,
} from '@immutable-infra/core';
import { z } from 'zod';

/** The platform's API, behind an interface so a simulator or the real endpoint plugs in. */
export interface AcmeCloud {
  findVm(name: string): Promise<{ id: string; state: 'building' | 'running'; ip?: string } | undefined>;
  createVm(name: string, image: string, userData: string): Promise<void>;
  deleteVm(name: string): Promise<void>;
}

const contract = { v1beta1: ['v1beta1'], v1beta2: ['v1beta1'] };
const kind = { group: INFRASTRUCTURE_GROUP, scope: 'Namespaced', contract } as const;
const v1beta1 = { name: 'v1beta1', storage: true } as const;
const clusterSpec = z.object({ ...infraClusterSpecFields, vip: z.string().min(1) });
const machineSpec = z.object({ ...infraMachineSpecFields, image: z.string().min(1) });

export const AcmeCluster = defineKind({
  ...kind,
  kind: 'AcmeCluster',
  plural: 'acmeclusters',
  role: 'InfraCluster',
  versions: [{ ...v1beta1, spec: clusterSpec, status: z.object(infraClusterStatusFields) }],
});

export const AcmeMachine = defineKind({
  ...kind,
  kind: 'AcmeMachine',
  plural: 'acmemachines',
  role: 'InfraMachine',
  versions: [{ ...v1beta1, spec: machineSpec, status: z.object(infraMachineStatusFields) }],
});

export const AcmeMachineTemplate = defineKind({
  ...kind,
  kind: 'AcmeMachineTemplate',
  plural: 'acmemachinetemplates',
  role: 'InfraMachineTemplate',
  versions: [{ ...v1beta1, spec: z.object({ template: z.object({ spec: machineSpec }) }) }],
});

export function acmeProvider(cloud: AcmeCloud) {
  return defineProvider({
    manifest: {
      name: '@example/provider-acme',
      version: '1.0.0',
      platform: 'acme',
      coreRange: '^0.1.0',
      capiContracts: ['v1beta1', 'v1beta2'],
      kubernetesVersions: ['1.34', '1.35'],
    },
    infraCluster: {
      kind: AcmeCluster,
      reconcile: async (ctx) =>
        clusterProvisioned({ controlPlaneEndpoint: { host: ctx.object.spec.vip, port: 6443 } }),
      delete: async () => done(),
    },
    infraMachine: {
      kind: AcmeMachine,
      async reconcile(ctx) {
        const name = ctx.object.metadata.name;
        // Look up before create: the VM name is deterministic, so a re-run never clones twice.
        const vm = await cloud.findVm(name);
        if (!vm) {
          const { value } = await ctx.bootstrapData();
          await ctx.platformCalls.record('CreateVM', () =>
            cloud.createVm(name, ctx.object.spec.image, value),
          );
          return requeue(5_000, 'VM is being created');
        }
        if (vm.state !== 'running' || !vm.ip) return requeue(5_000, `VM is ${vm.state}`);
        return machineProvisioned({
          providerID: `acme://${vm.id}`,
          addresses: [{ type: 'InternalIP', address: vm.ip }],
        });
      },
      async delete(ctx) {
        if (!(await cloud.findVm(ctx.object.metadata.name))) return done();
        await cloud.deleteVm(ctx.object.metadata.name);
        return requeue(5_000, 'VM is being deleted');
      },
    },
    infraMachineTemplate: AcmeMachineTemplate,
  });
}
