import { setTimeout as sleep } from 'node:timers/promises';
import { type HcsSimulator, type HcsSimulatorOptions, startHcsSimulator } from '@immutable-infra/hcs-sim';
import {
  fixedAddressLookup,
  HcsClient,
  type HcsCloud,
  type HcsCredential,
  HcsHttp,
  type HcsHttpOptions,
} from '../../src/cloud/index.js';

/** The regional host names of the tests: every `*.hcs.test` name reaches the simulator. */
export const TEST_DOMAIN = 'hcs.test';

export function startSimulator(options: HcsSimulatorOptions = {}): Promise<HcsSimulator> {
  return startHcsSimulator({ faults: { jobSeconds: 0.02 }, ...options });
}

export function credentialFor(sim: HcsSimulator, overrides: Partial<HcsCredential> = {}): HcsCredential {
  return {
    accessKey: sim.accessKey,
    secretKey: sim.secretKey,
    projectId: sim.projectId,
    region: sim.region,
    externalGlobalDomain: `${TEST_DOMAIN}:${new URL(sim.url).port}`,
    scheme: 'http',
    ...overrides,
  };
}

export const simLookup = () => fixedAddressLookup(TEST_DOMAIN, '127.0.0.1');

export function clientFor(
  sim: HcsSimulator,
  overrides: Partial<HcsCredential> = {},
  options: HcsHttpOptions = {},
): HcsClient {
  return new HcsClient(new HcsHttp(credentialFor(sim, overrides), { lookup: simLookup(), ...options }));
}

export type JobOutcome = { state: 'success' } | { state: 'failed'; code: string | undefined; reason: string };

/** Looks at a job until it has ended; tests bound this with their own timeout, never by time. */
export async function settle(cloud: Pick<HcsCloud, 'getJob'>, jobId: string): Promise<JobOutcome> {
  for (;;) {
    const job = await cloud.getJob(jobId);
    if (job.status === 'SUCCESS') return { state: 'success' };
    if (job.status === 'FAIL')
      return {
        state: 'failed',
        code: job.error_code ?? undefined,
        reason: job.fail_reason ?? 'no reason given',
      };
    await sleep(10);
  }
}

export async function succeeded(cloud: Pick<HcsCloud, 'getJob'>, jobId: string): Promise<void> {
  const outcome = await settle(cloud, jobId);
  if (outcome.state !== 'success') throw new Error(`job ${jobId}: ${JSON.stringify(outcome)}`);
}

/** The default inventory's network: VPC, both subnets and the security group. */
export async function network(cloud: HcsCloud) {
  const vpc = (await cloud.listVpcs()).find((v) => v.name === 'cluster-vpc');
  if (!vpc) throw new Error('no cluster-vpc in the simulator');
  const subnets = await cloud.listSubnets(vpc.id);
  const controlPlane = subnets.find((s) => s.name === 'control-plane');
  const workers = subnets.find((s) => s.name === 'workers');
  const group = (await cloud.listSecurityGroups(vpc.id)).find((g) => g.name === 'cluster-sg');
  if (!controlPlane || !workers || !group) throw new Error('the default inventory changed');
  return { vpc, controlPlane, workers, group };
}
