import { describe, expect, it } from 'vitest';
import { DcsHttp, getJson, SITE, startSim, USER } from './support/dcs-http.js';

describe('/_sim/state', () => {
  it('shows VMs, volumes, tasks, sessions and login counts, the same as state()', async () => {
    const sim = await startSim({ faults: { taskSeconds: 0 } });
    const dcs = new DcsHttp(sim.url);
    await dcs.login(USER, 'wrong');
    await dcs.login();
    const uri = await dcs.cloneVm('worker-7');

    const { status, body: state } = await getJson(`${sim.url}/_sim/state`);
    expect(status).toBe(200);
    expect(state).toEqual(JSON.parse(JSON.stringify(sim.state())));
    expect(Object.keys(state).sort()).toEqual(
      [
        'creates',
        'drsRules',
        'logins',
        'sessions',
        'tasks',
        'uploads',
        'vms',
        'volumeCreateBodies',
        'volumeModifyBodies',
        'volumes',
      ].sort(),
    );
    expect(state.logins).toEqual({ total: 2, failed: 1, byUser: { [USER]: 2 } });
    expect(state.sessions).toEqual([
      { token: dcs.token, userName: USER, userId: '1', expiresAt: expect.any(Number) },
    ]);
    const vm = state.vms.find((v: { uri: string }) => v.uri === uri);
    expect(vm).toMatchObject({ name: 'worker-7', status: 'stopped', isTemplate: false });
    expect(state.vms.filter((v: { isTemplate: boolean }) => v.isTemplate)).toHaveLength(2);
    expect(state.volumes.find((v: { vmUrn: string }) => v.vmUrn === vm.urn)).toMatchObject({ status: 'USE' });
    expect(state.tasks).toEqual([
      expect.objectContaining({ type: 'CloneVm', status: 'success', entityUrn: vm.urn, progress: 100 }),
    ]);
    expect(state.tasks[0].urn).toBe(`urn:sites:${SITE}:tasks:1`);
    expect(state.uploads).toEqual([]);
    expect(state.drsRules).toEqual([]);
    expect(state.creates).toEqual({ vms: 1, volumes: 0 });
  });
});
