import {
  clusterProvisioned,
  defineKind,
  defineProvider,
  done,
  INFRASTRUCTURE_GROUP,
  type InfraMachineContext,
  infraClusterSpecFields,
  infraClusterStatusFields,
  infraMachineSpecFields,
  infraMachineStatusFields,
  machineProvisioned,
  requeue,
  type Step,
  stepPlan,
} from '@immutable-infra/core';
import { z } from 'zod';

/** The platform's API (a simulator or the real endpoint); a failed call throws core's PlatformFailure. */
export interface AcmeCloud {
  findVm(name: string): Promise<{ id: string; state: 'building' | 'running' } | undefined>;
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

/** What the steps of one reconcile share: the object, the platform client and the VM once found. */
type Run = { ctx: InfraMachineContext<typeof AcmeMachine>; cloud: AcmeCloud; vm?: Vm };
type Vm = Awaited<ReturnType<AcmeCloud['findVm']>>;
const createVm: Step<Run> = {
  name: 'CreateVM',
  async run(run) {
    const { ctx, cloud } = run;
    const name = ctx.object.metadata.name;
    run.vm = await cloud.findVm(name); // the name is deterministic: a re-run finds it, never creates twice
    if (run.vm) return done();
    const { value } = await ctx.bootstrapData();
    await ctx.platformCalls.record('CreateVM', () => cloud.createVm(name, ctx.object.spec.image, value));
    return requeue(5_000, 'VM is being created');
  },
};
const vmRunning: Step<Run> = {
  name: 'WaitForVM',
  run: async ({ vm }) => (vm?.state === 'running' ? done() : requeue(5_000, `VM is ${vm?.state}`)),
};
const provisioned = ({ vm }: Run) => machineProvisioned({ providerID: `acme://${vm?.id}` });
const manifest = { name: '@example/provider-acme', version: '1.0.0', platform: 'acme', coreRange: '^0.4.0' };

export function acmeProvider(cloud: AcmeCloud) {
  return defineProvider({
    manifest: { ...manifest, capiContracts: ['v1beta1', 'v1beta2'], kubernetesVersions: ['1.34', '1.35'] },
    infraCluster: {
      kind: AcmeCluster,
      reconcile: async ({ object }) =>
        clusterProvisioned({ controlPlaneEndpoint: { host: object.spec.vip, port: 6443 } }),
      delete: async () => done(),
    },
    infraMachine: {
      kind: AcmeMachine,
      reconcile: async (ctx) => stepPlan({ ctx, cloud }, [createVm, vmRunning], provisioned),
      async delete({ object }) {
        if (!(await cloud.findVm(object.metadata.name))) return done();
        await cloud.deleteVm(object.metadata.name);
        return requeue(5_000, 'VM is being deleted');
      },
    },
    infraMachineTemplate: AcmeMachineTemplate,
  });
}
