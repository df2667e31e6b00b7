import {
  done,
  failed,
  type InfraMachineContext,
  type InfraMachineHooks,
  machineProvisioned,
  requeue,
  type Step,
  stepPlan,
} from '@immutable-infra/core';
import { createOnce, infraClusterOfMachine, mayBeUnlisted } from '@immutable-infra/provider-kit';
import { AcmeMachine } from '../api/acme-machine.js';
import type { AcmeClient, AcmeMachineInfo } from '../cloud/acme-client.js';
import type { AcmeClients } from './connect.js';

type Ctx = InfraMachineContext<typeof AcmeMachine>;

export interface MachineStepOptions {
  /** How often to look again while the platform works; 2 s by default. */
  pollMs?: number;
  /** The longest the platform takes to list a machine it created; a create is not repeated within it. 10 s by default. */
  listingLagMs?: number;
}

/** What the steps of one reconcile share: the object, the platform client and the machine once found. */
interface Run {
  ctx: Ctx;
  clients: AcmeClients;
  client?: AcmeClient;
  machine?: AcmeMachineInfo | undefined;
  pollMs: number;
  listingLagMs: number;
}

/** The platform name of a machine: deterministic, so a re-run finds what an earlier one made. */
export const platformName = (ctx: Ctx) => `${ctx.object.metadata.namespace}-${ctx.object.metadata.name}`;

const CREATE_KEY = 'machine';

const connect: Step<Run> = {
  name: 'Connect',
  async run(run) {
    // The AcmeCluster names the credential; when the Cluster went first (a deleted namespace), its label finds it.
    const cluster = await infraClusterOfMachine<{ spec?: { credentialSecretRef?: { name?: string } } }>(
      run.ctx,
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'AcmeCluster',
      },
    );
    const secretName = cluster?.spec?.credentialSecretRef?.name;
    if (!secretName) return requeue(10_000, 'waiting for the AcmeCluster of this machine');
    const connected = await run.clients.forSecret(
      run.ctx.secrets,
      run.ctx.object.metadata.namespace ?? '',
      secretName,
    );
    if (!connected.ok) return requeue(30_000, connected.message);
    run.client = connected.client;
    return done();
  },
};

/** Looks the machine up by its name; `deleting`: a machine already gone is what a delete wants. */
const findMachineStep = (deleting: boolean): Step<Run> => ({
  name: 'FindMachine',
  async run(run) {
    const { ctx } = run;
    run.machine = await ctx.platformCalls.record('FindMachine', () =>
      (run.client as AcmeClient).findMachine(platformName(ctx)),
    );
    if (run.machine) {
      ctx.status.machineId = run.machine.id;
      return done();
    }
    // It existed and is gone: someone deleted it on the platform. Cluster API replaces a failed
    // machine (a MachineHealthCheck); making another behind the same providerID would lie.
    if (!deleting && ctx.object.spec.providerID && !mayBeUnlisted(ctx, CREATE_KEY, run.listingLagMs))
      return failed(
        'MachineDeleted',
        `machine ${platformName(ctx)} (${ctx.status.machineId ?? ctx.object.spec.providerID}) no longer exists on Acme; delete this machine to have it replaced`,
      );
    return done();
  },
});

const createMachine: Step<Run> = {
  name: 'CreateMachine',
  // Looked up first (FindMachine): a machine that exists is never asked for again.
  when: (run) => !run.machine,
  async run(run) {
    const { ctx } = run;
    const name = platformName(ctx);
    const sent = await createOnce(
      ctx,
      { key: CREATE_KEY, what: `machine ${name}`, listingLagMs: run.listingLagMs },
      async () => {
        const { value } = await ctx.bootstrapData();
        return ctx.platformCalls.record('CreateMachine', () =>
          (run.client as AcmeClient).createMachine({ name, image: ctx.object.spec.image, userData: value }),
        );
      },
    );
    if (!sent.sent) return sent.wait;
    ctx.status.machineId = sent.result.id;
    ctx.events.normal('MachineCreated', `asked Acme for machine ${name} (${sent.result.id})`);
    return requeue(run.pollMs, `machine ${name} is being created`);
  },
};

const waitForRunning: Step<Run> = {
  name: 'WaitForRunning',
  async run({ machine, pollMs }) {
    if (machine?.state === 'running') return done();
    if (machine?.state === 'failed') return failed('MachineFailed', `machine ${machine.name} failed on Acme`);
    return requeue(pollMs, `machine is ${machine?.state ?? 'not listed yet'}`, {
      task: machine?.id ?? 'create',
      platform: 'Acme',
      name: `machine ${machine?.name ?? ''}`,
    });
  },
};

const provisioned = ({ machine }: Run) =>
  machineProvisioned({
    providerID: `acme://${machine?.id}`,
    addresses: (machine?.addresses ?? []).map((address) => ({ type: 'InternalIP' as const, address })),
  });

const deleteMachine: Step<Run> = {
  name: 'DeleteMachine',
  async run(run) {
    const { ctx, machine } = run;
    if (!machine) {
      // A machine asked for a moment ago may not be listed yet: wait, or it would be left behind.
      if (mayBeUnlisted(ctx, CREATE_KEY, run.listingLagMs))
        return requeue(run.pollMs, 'a machine asked for a moment ago may not be listed yet');
      return done();
    }
    if (machine.state !== 'deleting')
      await ctx.platformCalls.record('DeleteMachine', () =>
        (run.client as AcmeClient).deleteMachine(machine.id),
      );
    return requeue(run.pollMs, `machine ${machine.name} is being deleted`, {
      task: machine.id,
      platform: 'Acme',
      name: `delete machine ${machine.name}`,
    });
  },
};

/** The AcmeMachine: find, create (once), wait until it runs; on delete, find, delete, wait until gone. */
export function machineHooks(
  clients: AcmeClients,
  options: MachineStepOptions = {},
): InfraMachineHooks<typeof AcmeMachine> {
  const runOf = (ctx: Ctx): Run => ({
    ctx,
    clients,
    pollMs: options.pollMs ?? 2_000,
    listingLagMs: options.listingLagMs ?? 10_000,
  });
  return {
    kind: AcmeMachine,
    reconcile: async (ctx) =>
      stepPlan(runOf(ctx), [connect, findMachineStep(false), createMachine, waitForRunning], provisioned),
    delete: async (ctx) => stepPlan(runOf(ctx), [connect, findMachineStep(true), deleteMachine]),
  };
}
