import { describe, expect, it } from 'vitest';
import { DcsHttp, SITE, SITE_URI, startSim } from './support/dcs-http.js';

const CLUSTER_11 = `urn:sites:${SITE}:clusters:11`;

async function loggedIn(faults = {}) {
  const sim = await startSim({ faults });
  const dcs = new DcsHttp(sim.url);
  await dcs.login();
  return { sim, dcs };
}

describe('clone', () => {
  it('creates a VM that is creating until its task succeeds, then stopped', async () => {
    const { sim, dcs } = await loggedIn({ stuckCreating: ['worker-0'] });
    const answer = await dcs.ok('POST', `${SITE_URI}/vms/i-00000002/action/clone`, {
      name: 'worker-0',
      description: 'a worker',
      group: 'kubernetes',
      location: CLUSTER_11,
      isBindingHost: false,
      autoBoot: false,
      vmConfig: {
        cpu: { quantity: 4 },
        memory: { quantityMB: 8192 },
        disks: [
          { sequenceNum: 1, quantityGB: 80, datastoreUrn: `urn:sites:${SITE}:datastores:3`, isThin: true },
        ],
        nics: [{ sequenceNum: 1, portGroupUrn: `urn:sites:${SITE}:dvswitchs:1:portgroups:2` }],
      },
      vmCustomization: {
        osType: 'Linux',
        hostname: 'worker-0',
        nicSpecification: [
          {
            sequenceNum: 1,
            ip: '10.0.0.21',
            netmask: '255.255.255.0',
            gateway: '10.0.0.1',
            setdns: '10.0.0.2',
          },
        ],
      },
    });
    expect(answer).toEqual({
      urn: expect.stringMatching(new RegExp(`^urn:sites:${SITE}:vms:i-[0-9A-F]{8}$`)),
      uri: expect.stringMatching(new RegExp(`^${SITE_URI}/vms/i-[0-9A-F]{8}$`)),
      taskUrn: expect.stringMatching(new RegExp(`^urn:sites:${SITE}:tasks:\\d+$`)),
      taskUri: expect.stringMatching(new RegExp(`^${SITE_URI}/tasks/\\d+$`)),
    });

    // Held by the stuckCreating fault, the VM is listed creating and its task keeps running.
    const listed = await dcs.ok('GET', `${SITE_URI}/vms?name=worker-0`);
    expect(listed.vms[0].status).toBe('creating');
    const running = await dcs.ok('GET', answer.taskUri);
    expect(running).toMatchObject({
      status: 'running',
      type: 'CloneVm',
      entityUrn: answer.urn,
      finishTime: '',
    });
    expect(running.progress).toBeGreaterThanOrEqual(0);
    expect(running.progress).toBeLessThan(100);

    sim.setFaults({});
    // Whether a poll still sees it running after the fault is lifted depends on load; the running
    // state was checked above while the fault held it.
    const { task } = await dcs.waitForTask(answer.taskUri);
    expect(task).toMatchObject({ status: 'success', progress: 100, reason: '' });
    expect(task.finishTime).not.toBe('');

    const vm = await dcs.ok('GET', answer.uri);
    expect(vm).toMatchObject({
      name: 'worker-0',
      description: 'a worker',
      group: 'kubernetes',
      location: CLUSTER_11,
      hostUrn: expect.stringMatching(new RegExp(`^urn:sites:${SITE}:hosts:17[34]$`)),
      status: 'stopped',
      isTemplate: false,
      cdRomStatus: 'empty',
      vmConfig: {
        cpu: { quantity: 4 },
        memory: { quantityMB: 8192 },
        disks: [
          { sequenceNum: 1, quantityGB: 80, datastoreUrn: `urn:sites:${SITE}:datastores:3`, isThin: true },
        ],
        nics: [
          {
            sequenceNum: 1,
            portGroupUrn: `urn:sites:${SITE}:dvswitchs:1:portgroups:2`,
            ip: '10.0.0.21',
            mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/),
          },
        ],
      },
    });
    expect(vm.vmConfig.disks[0].volumeUrn).toMatch(new RegExp(`^urn:sites:${SITE}:volumes:\\d+$`));
  });

  it('takes quantityMb/quantityGb, places on a datastore cluster and boots with autoBoot', async () => {
    const { dcs } = await loggedIn({ taskSeconds: 0 });
    const uri = await dcs.cloneVm('worker-1', {
      autoBoot: true,
      vmConfig: {
        memory: { quantityMb: 6144 },
        disks: [{ sequenceNum: 1, quantityGb: 50, datastoreUrn: `urn:sites:${SITE}:datastoreclusters:1` }],
      },
    });
    const vm = await dcs.ok('GET', uri);
    expect(vm.status).toBe('running');
    expect(vm.vmConfig.memory.quantityMB).toBe(6144);
    expect(vm.vmConfig.disks[0].quantityGB).toBe(50);
    // The member of the datastore cluster with the most free space (datastore 2 in the default inventory).
    expect(vm.vmConfig.disks[0].datastoreUrn).toBe(`urn:sites:${SITE}:datastores:2`);
  });

  it('answers 400 naming the field for a bad clone body', async () => {
    const { dcs } = await loggedIn();
    const badCpu = await dcs.call('POST', `${SITE_URI}/vms/i-00000002/action/clone`, {
      name: 'x',
      vmConfig: { cpu: { quantity: 'four' } },
    });
    expect(badCpu.status).toBe(400);
    expect(badCpu.body.errorDes).toContain('vmConfig.cpu.quantity');
    const badLocation = await dcs.call('POST', `${SITE_URI}/vms/i-00000002/action/clone`, {
      name: 'x',
      location: `urn:sites:${SITE}:clusters:99`,
    });
    expect(badLocation.status).toBe(400);
    expect(badLocation.body.errorDes).toContain('location');
    const noName = await dcs.call('POST', `${SITE_URI}/vms/i-00000002/action/clone`);
    expect(noName.status).toBe(400);
    expect(noName.body.errorDes).toContain('name');
  });

  it('deleting a VM stuck in creating fails its clone task', async () => {
    const { dcs } = await loggedIn({ stuckCreating: '*', taskSeconds: 0 });
    const answer = await dcs.ok('POST', `${SITE_URI}/vms/i-00000001/action/clone`, { name: 'stuck' });
    await dcs.change('DELETE', `${answer.uri}?isReserveDisks=0`);
    const { task } = await dcs.waitForTask(answer.taskUri);
    expect(task.status).toBe('failed');
    expect(task.reason).toMatch(/^\d+$/);
    expect((await dcs.call('GET', answer.uri)).status).toBe(404);
  });
});

describe('power and delete', () => {
  it('starts, stops (safe and force) and deletes a VM with its own disks', async () => {
    const { sim, dcs } = await loggedIn({ taskSeconds: 0 });
    const uri = await dcs.cloneVm('cp-0');
    const diskUrn = (await dcs.ok('GET', uri)).vmConfig.disks[0].volumeUrn;

    await dcs.change('POST', `${uri}/action/start`);
    expect((await dcs.ok('GET', uri)).status).toBe('running');
    // Starting a running VM is a task that simply succeeds.
    await dcs.change('POST', `${uri}/action/start`, {});

    await dcs.change('POST', `${uri}/action/stop`, { mode: 'safe' });
    expect((await dcs.ok('GET', uri)).status).toBe('stopped');

    await dcs.change('POST', `${uri}/action/start`);
    await dcs.change('POST', `${uri}/action/stop`, { mode: 'force' });
    expect((await dcs.ok('GET', uri)).status).toBe('stopped');

    const badMode = await dcs.call('POST', `${uri}/action/stop`, { mode: 'gentle' });
    expect(badMode.status).toBe(400);
    expect(badMode.body.errorDes).toContain('mode');

    await dcs.change('DELETE', `${uri}?isReserveDisks=0`);
    expect((await dcs.call('GET', uri)).status).toBe(404);
    expect(sim.state().volumes.map((v) => v.urn)).not.toContain(diskUrn);
  });

  it('with stoppedOnlyDelete refuses to delete a running VM with 409 102212808', async () => {
    const { dcs } = await loggedIn({ taskSeconds: 0, stoppedOnlyDelete: true });
    const uri = await dcs.cloneVm('cp-1', { autoBoot: true });
    const refused = await dcs.call('DELETE', `${uri}?isReserveDisks=0`);
    expect(refused.status).toBe(409);
    expect(refused.body.errorCode).toBe('102212808');
    await dcs.change('POST', `${uri}/action/stop`, { mode: 'force' });
    await dcs.change('DELETE', `${uri}?isReserveDisks=0`);
    expect((await dcs.call('GET', uri)).status).toBe(404);
  });

  it('keeps the disks of a VM deleted with isReserveDisks=1, detached', async () => {
    const { sim, dcs } = await loggedIn({ taskSeconds: 0 });
    const uri = await dcs.cloneVm('cp-2');
    const diskUrn = (await dcs.ok('GET', uri)).vmConfig.disks[0].volumeUrn;
    await dcs.change('DELETE', `${uri}?isReserveDisks=1`);
    expect(sim.state().volumes.find((v) => v.urn === diskUrn)).toMatchObject({ status: 'FREE', vmUrn: '' });
  });

  it('lists a VM as stopping while its stop task runs', async () => {
    const { sim, dcs } = await loggedIn({ taskSeconds: 0 });
    const uri = await dcs.cloneVm('cp-3', { autoBoot: true });
    sim.setFaults({ taskSeconds: 3600 });
    const stop = await dcs.ok('POST', `${uri}/action/stop`, { mode: 'safe' });
    expect((await dcs.ok('GET', uri)).status).toBe('stopping');
    expect((await dcs.ok('GET', stop.taskUri)).status).toMatch(/^(waiting|running)$/);
  });

  it('refuses to start a VM that is still being created', async () => {
    const { dcs } = await loggedIn({ stuckCreating: ['slow'] });
    const answer = await dcs.ok('POST', `${SITE_URI}/vms/i-00000002/action/clone`, { name: 'slow' });
    const refused = await dcs.call('POST', `${answer.uri}/action/start`);
    expect(refused.status).toBe(409);
  });
});
