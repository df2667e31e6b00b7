import { setTimeout as sleep } from 'node:timers/promises';
import { type DcsSimulator, type DcsSimulatorOptions, startDcsSimulator } from '@immutable-infra/dcs-sim';
import type { TaskState } from '@immutable-infra/provider-kit';
import {
  type DcsCloneVmRequest,
  type DcsCloud,
  type DcsCredential,
  dcsTaskState,
} from '../../src/cloud/index.js';

/** The simulator's default user (see tools/dcs-sim defaultInventory). */
export const USER = 'cluster-api';
export const PASSWORD = 'Huawei@123';

export type Simulator = DcsSimulator;

/** Starts a simulator on a free port with the default inventory; HTTP unless `tls` is set. */
export function startSimulator(options: DcsSimulatorOptions = {}): Promise<Simulator> {
  return startDcsSimulator(options);
}

export function credentialFor(sim: Simulator, overrides: Partial<DcsCredential> = {}): DcsCredential {
  return {
    endpoint: sim.url,
    user: USER,
    key: PASSWORD,
    ...(sim.caCertificate ? { caCertificate: sim.caCertificate } : {}),
    ...overrides,
  };
}

/** Looks at a task until it has finished; tests bound this with their own timeout, never by time. */
export async function settle(cloud: Pick<DcsCloud, 'getTask'>, taskUri: string): Promise<TaskState> {
  for (;;) {
    const outcome = dcsTaskState(await cloud.getTask(taskUri));
    if (outcome.state !== 'running') return outcome;
    await sleep(20);
  }
}

/** Waits for a task that must succeed. */
export async function succeeded(cloud: Pick<DcsCloud, 'getTask'>, taskUri: string): Promise<void> {
  const outcome = await settle(cloud, taskUri);
  if (outcome.state !== 'succeeded') throw new Error(`task ${taskUri} failed: ${JSON.stringify(outcome)}`);
}

/** A clone body placing a small VM on the default inventory's compute cluster. */
export async function cloneRequest(
  cloud: DcsCloud,
  name: string,
  autoBoot = true,
): Promise<DcsCloneVmRequest> {
  const cluster = await cloud.resolveCluster('ComputeCluster');
  const datastore = await cloud.resolveDatastore('datastore-ssd-01');
  const portGroup = await cloud.resolvePortGroup('DVS-Business', 'business-vlan100');
  return {
    name,
    description: 'created by the provider-dcs client tests',
    group: 'kubernetes',
    location: cluster.urn,
    isBindingHost: false,
    autoBoot,
    vmConfig: {
      cpu: { quantity: 2 },
      memory: { quantityMB: 4096 },
      disks: [{ sequenceNum: 1, quantityGB: 40, datastoreUrn: datastore.urn, isThin: true }],
      nics: [{ sequenceNum: 1, portGroupUrn: portGroup.urn }],
    },
    vmCustomization: {
      osType: 'Linux',
      hostname: name,
      nicSpecification: [
        { sequenceNum: 1, ip: '192.0.2.10', netmask: '255.255.255.0', gateway: '192.0.2.1' },
      ],
    },
  };
}

/** Clones a VM from the v1.34 template and waits until it exists. */
export async function createVm(cloud: DcsCloud, name: string, autoBoot = true) {
  const template = await cloud.findTemplate('ubuntu-2204-k8s-v1.34');
  if (!template) throw new Error('the simulator has no ubuntu-2204-k8s-v1.34 template');
  const clone = await cloud.cloneVm(template.uri, await cloneRequest(cloud, name, autoBoot));
  await succeeded(cloud, clone.taskUri);
  return clone;
}

/** The error a call fails with; fails the test if the call succeeds. */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
