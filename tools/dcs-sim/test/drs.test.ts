import { describe, expect, it } from 'vitest';
import { DcsHttp, SITE, SITE_URI, startSim } from './support/dcs-http.js';

describe('DRS rules', () => {
  it('creates, modifies and deletes an anti-affinity rule through PUT on the cluster', async () => {
    const sim = await startSim({ faults: { taskSeconds: 0 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const vms = [];
    for (const name of ['cp-0', 'cp-1', 'cp-2']) vms.push((await dcs.ok('GET', await dcs.cloneVm(name))).urn);
    const cluster = `${SITE_URI}/clusters/11`;
    const clusterUrn = `urn:sites:${SITE}:clusters:11`;

    await dcs.change('PUT', cluster, {
      drsSetting: {
        drsRules: [{ operationType: 2, ruleName: 'cp-spread', ruleType: 2, vms: vms.slice(0, 2) }],
      },
    });
    const created = (await dcs.ok('GET', cluster)).drsSetting.drsRules;
    expect(created).toEqual([
      { ruleIndex: expect.any(Number), ruleName: 'cp-spread', ruleType: 2, vms: vms.slice(0, 2) },
    ]);
    const { ruleIndex } = created[0];

    const duplicate = await dcs.call('PUT', cluster, {
      drsSetting: { drsRules: [{ operationType: 2, ruleName: 'cp-spread', ruleType: 2, vms: [] }] },
    });
    expect(duplicate.status).toBe(409);

    await dcs.change('PUT', cluster, {
      drsSetting: { drsRules: [{ operationType: 1, ruleIndex, ruleName: 'cp-spread', ruleType: 2, vms }] },
    });
    expect((await dcs.ok('GET', cluster)).drsSetting.drsRules[0].vms).toEqual(vms);
    expect(sim.state().drsRules).toEqual([
      { clusterUrn, ruleIndex, ruleName: 'cp-spread', ruleType: 2, vms },
    ]);

    await dcs.change('PUT', cluster, { drsSetting: { drsRules: [{ operationType: 0, ruleIndex }] } });
    expect((await dcs.ok('GET', cluster)).drsSetting.drsRules).toEqual([]);
    const missing = await dcs.call('PUT', cluster, {
      drsSetting: { drsRules: [{ operationType: 0, ruleIndex }] },
    });
    expect(missing.status).toBe(404);
  });

  it('reports the host every VM runs on, and puts the VMs the colocate fault names on one host', async () => {
    const sim = await startSim({ faults: { taskSeconds: 0, colocate: ['cp-0', 'cp-1'] } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const placed = [];
    for (const name of ['cp-0', 'cp-1', 'cp-2']) placed.push(await dcs.ok('GET', await dcs.cloneVm(name)));
    const hosts = placed.map((vm) => vm.hostName);
    // Cluster 11 has two hosts: least load would have spread cp-0 and cp-1.
    expect(hosts[0]).toBe(hosts[1]);
    expect(['CNA02', 'CNA03']).toContain(hosts[0]);
    expect(placed[0].hostUrn).toBe(placed[1].hostUrn);
    expect(hosts[2]).not.toBe(hosts[0]);

    const other = hosts[0] === 'CNA02' ? 'CNA03' : 'CNA02';
    sim.migrateVm('cp-1', other);
    expect((await dcs.ok('GET', placed[1].uri)).hostName).toBe(other);
    expect(() => sim.migrateVm('cp-1', 'CNA01')).toThrow(/no host CNA01 in the cluster/);
  });

  it('refuses an unknown VM in a rule with 400 naming the field', async () => {
    const sim = await startSim();
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const answer = await dcs.call('PUT', `${SITE_URI}/clusters/10`, {
      drsSetting: {
        drsRules: [
          { operationType: 2, ruleName: 'r', ruleType: 2, vms: [`urn:sites:${SITE}:vms:i-0000ABCD`] },
        ],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errorDes).toContain('drsSetting.drsRules[0].vms[0]');
  });

  it('drops a deleted VM from its rules', async () => {
    const sim = await startSim({ faults: { taskSeconds: 0 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login();
    const uri = await dcs.cloneVm('cp-9');
    const urn = (await dcs.ok('GET', uri)).urn;
    await dcs.change('PUT', `${SITE_URI}/clusters/11`, {
      drsSetting: { drsRules: [{ operationType: 2, ruleName: 'r', ruleType: 2, vms: [urn] }] },
    });
    await dcs.change('DELETE', `${uri}?isReserveDisks=0`);
    expect(sim.state().drsRules[0]?.vms).toEqual([]);
  });
});
