import { isPlatformFailure, type PlatformCallRecorder, type PlatformFailure } from '@immutable-infra/core';
import { startVcsim, TEMPLATE_NAME, type Vcsim } from '@immutable-infra/vcsim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  interpretTask,
  type MoRef,
  type TaskInfo,
  VsphereClient,
  type VsphereCredential,
  VsphereSession,
} from '../src/index.js';

let vcsim: Vcsim;
const opened: VsphereSession[] = [];

beforeAll(async () => {
  // Clones take a second, so a test can read a clone task while it runs.
  vcsim = await startVcsim({ taskDelays: { CloneVm: 1000 } });
});

afterAll(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await vcsim?.stop();
});

/** Counts vim25 calls by method (logins and logouts included). */
function counter(): PlatformCallRecorder & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return {
    calls,
    record: (operation, call) => {
      calls[operation] = (calls[operation] ?? 0) + 1;
      return call();
    },
  };
}

function credential(overrides: Partial<VsphereCredential> = {}): VsphereCredential {
  return {
    server: vcsim.server,
    username: vcsim.username,
    password: vcsim.password,
    caCertificate: vcsim.caCertificate,
    ...overrides,
  };
}

function connect(overrides: Partial<VsphereCredential> = {}, recorder?: PlatformCallRecorder): VsphereClient {
  const session = new VsphereSession(credential(overrides), { recorder });
  opened.push(session);
  return new VsphereClient(session);
}

async function failureOf(promise: Promise<unknown>): Promise<PlatformFailure> {
  try {
    await promise;
  } catch (error) {
    if (isPlatformFailure(error)) return error;
    throw error;
  }
  throw new Error('expected a PlatformFailure');
}

async function waitForTask(client: VsphereClient, reference: string): Promise<TaskInfo> {
  for (let i = 0; i < 200; i++) {
    const info = await client.taskInfo(reference);
    if (!info) throw new Error(`task ${reference} is gone`);
    if (info.state === 'success' || info.state === 'error') return info;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${reference} did not finish`);
}

async function must(client: VsphereClient, path: string): Promise<MoRef> {
  const found = await client.findByInventoryPath(path);
  if (!found) throw new Error(`${path} not found`);
  return found;
}

/** Where DC0 clones go, and the template's current snapshot (for linked clones). */
async function placement(client: VsphereClient) {
  const dc = vcsim.datacenters[0];
  if (!dc) throw new Error('no datacenter seeded');
  const template = await must(client, dc.template);
  const [props] = await client.properties([template], ['snapshot.currentSnapshot']);
  return {
    template,
    snapshot: props?.properties['snapshot.currentSnapshot'] as MoRef,
    folder: await must(client, dc.folder),
    pool: await must(client, dc.pool),
    datastore: await must(client, dc.datastore),
  };
}

describe('VsphereClient against vcsim', () => {
  it('logs in once for many calls, and reads several properties of many VMs in one call', async () => {
    const calls = counter();
    const client = connect({}, calls);
    const vms: MoRef[] = [];
    for (const dc of ['DC0', 'DC1'])
      for (const i of [1, 2]) vms.push(await must(client, `/${dc}/vm/${dc}_C0_RP0_VM${i}`));
    const gone: MoRef = { type: 'VirtualMachine', value: 'vm-does-not-exist' };
    const read = await client.properties(
      [...vms, gone],
      ['name', 'config.uuid', 'config.instanceUuid', 'runtime.powerState', 'summary.config.numCpu'],
    );
    expect(calls.calls).toEqual({ Login: 1, FindByInventoryPath: 4, RetrievePropertiesEx: 1 });
    expect(read.map((o) => o.properties.name)).toEqual([
      'DC0_C0_RP0_VM1',
      'DC0_C0_RP0_VM2',
      'DC1_C0_RP0_VM1',
      'DC1_C0_RP0_VM2',
      undefined,
    ]);
    for (const object of read.slice(0, 4)) {
      expect(object.gone).toBe(false);
      expect(object.properties['config.uuid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(object.properties['config.instanceUuid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(object.properties['runtime.powerState']).toBe('poweredOn');
      expect(object.properties['summary.config.numCpu']).toBe('1');
    }
    expect(read[4]).toMatchObject({ ref: gone, gone: true, properties: {} });
  });

  it('finds a VM by inventory path and by instance and BIOS UUID; unknown ones are undefined', async () => {
    const client = connect();
    const vm = await must(client, '/DC1/vm/DC1_C0_RP0_VM1');
    const [props] = await client.properties([vm], ['config.uuid', 'config.instanceUuid']);
    const bios = props?.properties['config.uuid'] as string;
    const instance = props?.properties['config.instanceUuid'] as string;
    expect(bios).not.toBe(instance);
    expect(await client.findVmByUuid(instance)).toEqual(vm);
    expect(await client.findVmByUuid(bios, { bios: true })).toEqual(vm);
    expect(await client.findVmByUuid(bios)).toBeUndefined();
    expect(await client.findVmByUuid('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(await client.findByInventoryPath('/DC1/vm/no-such-vm')).toBeUndefined();
  });

  it('clones full and linked with CPU, memory and guestinfo, reconfigures, powers on and off, destroys', async () => {
    const client = connect();
    const where = await placement(client);
    expect(where.snapshot).toMatchObject({ type: 'VirtualMachineSnapshot' });

    const full = await client.cloneVm({
      source: where.template,
      name: 'machine-full',
      folder: where.folder,
      pool: where.pool,
      datastore: where.datastore,
      config: {
        numCPUs: 2,
        memoryMiB: 2048,
        extraConfig: {
          'guestinfo.userdata': 'I2Nsb3VkLWNvbmZpZw==',
          'guestinfo.userdata.encoding': 'base64',
        },
      },
    });
    const linked = await client.cloneVm({
      source: where.template,
      name: 'machine-linked',
      folder: where.folder,
      pool: where.pool,
      linkedCloneSnapshot: where.snapshot,
    });
    const fullTask = await waitForTask(client, full);
    const linkedTask = await waitForTask(client, linked);
    expect(fullTask.state).toBe('success');
    // vCenter names it CloneVM_Task; vcsim CloneVm.
    expect(fullTask.name).toMatch(/^CloneVm/i);
    expect(linkedTask.state).toBe('success');
    const fullVm = fullTask.result as MoRef;
    const linkedVm = linkedTask.result as MoRef;
    expect(fullVm).toMatchObject({ type: 'VirtualMachine' });
    expect(await client.findByInventoryPath(`${vcsim.datacenters[0]?.folder}/machine-linked`)).toEqual(
      linkedVm,
    );

    const paths = [
      'config.hardware.numCPU',
      'config.hardware.memoryMB',
      'config.extraConfig',
      'config.hardware.device',
    ];
    let [fullProps, linkedProps] = await client.properties([fullVm, linkedVm], paths);
    expect(fullProps?.properties['config.hardware.numCPU']).toBe('2');
    expect(fullProps?.properties['config.hardware.memoryMB']).toBe('2048');
    const extra = (props: typeof fullProps) =>
      Object.fromEntries(
        ((props?.properties['config.extraConfig'] ?? []) as { key: string; value: string }[]).map((o) => [
          o.key,
          o.value,
        ]),
      );
    expect(extra(fullProps)).toMatchObject({
      'guestinfo.userdata': 'I2Nsb3VkLWNvbmZpZw==',
      'guestinfo.userdata.encoding': 'base64',
    });
    // vcsim does not model disk backings' parents, so a linked clone's disk chain cannot be checked
    // here; the request (snapshot + createNewChildDiskBacking) is checked in soap-xml.test.ts.
    expect(linkedProps?.properties['config.hardware.numCPU']).toBe('1');

    const reconfigured = await waitForTask(
      client,
      await client.reconfigureVm(linkedVm, {
        numCPUs: 4,
        memoryMiB: 4096,
        extraConfig: { 'guestinfo.metadata': 'aW5zdGFuY2UtaWQ6IG0x' },
      }),
    );
    expect(reconfigured.state).toBe('success');
    [linkedProps] = await client.properties([linkedVm], paths);
    expect(linkedProps?.properties['config.hardware.numCPU']).toBe('4');
    expect(linkedProps?.properties['config.hardware.memoryMB']).toBe('4096');
    expect(extra(linkedProps)['guestinfo.metadata']).toBe('aW5zdGFuY2UtaWQ6IG0x');

    const power = async (vm: MoRef) =>
      (await client.properties([vm], ['runtime.powerState']))[0]?.properties['runtime.powerState'];
    expect(await power(linkedVm)).toBe('poweredOff');
    expect((await waitForTask(client, await client.powerOnVm(linkedVm))).state).toBe('success');
    expect(await power(linkedVm)).toBe('poweredOn');
    // Powering on a running VM is a conflict with its state, and the task says so.
    const again = await waitForTask(client, await client.powerOnVm(linkedVm));
    expect(interpretTask(again)).toMatchObject({
      state: 'failed',
      kind: 'Conflict',
      platformCode: 'InvalidPowerState',
    });
    expect((await waitForTask(client, await client.powerOffVm(linkedVm))).state).toBe('success');
    expect(await power(linkedVm)).toBe('poweredOff');

    for (const vm of [fullVm, linkedVm])
      expect((await waitForTask(client, await client.destroyVm(vm))).state).toBe('success');
    expect(
      await client.findByInventoryPath(`${vcsim.datacenters[0]?.folder}/machine-linked`),
    ).toBeUndefined();
    const after = await client.properties([fullVm, linkedVm], ['name']);
    expect(after.map((o) => o.gone)).toEqual([true, true]);
    // A call on a destroyed VM is NotFound, with the object named.
    const missing = await failureOf(client.powerOnVm(fullVm));
    expect(missing).toMatchObject({ kind: 'NotFound', details: { platformCode: 'ManagedObjectNotFound' } });
    expect(missing.message).toContain(fullVm.value);
  });

  it('asks the guest to shut down', async () => {
    const client = connect();
    const vm = await must(client, '/DC1/vm/DC1_C0_RP0_VM2');
    await client.shutdownGuest(vm);
    let state: unknown;
    for (let i = 0; i < 50 && state !== 'poweredOff'; i++) {
      state = (await client.properties([vm], ['runtime.powerState']))[0]?.properties['runtime.powerState'];
      if (state !== 'poweredOff') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(state).toBe('poweredOff');
  });

  it('reports a second clone of the same name as a failed task of kind Conflict (DuplicateName)', async () => {
    const client = connect();
    const where = await placement(client);
    const spec = { source: where.template, name: 'machine-twice', folder: where.folder, pool: where.pool };
    const first = await waitForTask(client, await client.cloneVm(spec));
    expect(first.state).toBe('success');
    const second = await waitForTask(client, await client.cloneVm(spec));
    expect(interpretTask(second)).toMatchObject({
      state: 'failed',
      kind: 'Conflict',
      platformCode: 'DuplicateName',
      permanent: false,
    });
    await waitForTask(client, await client.destroyVm(first.result as MoRef));
  });

  it('follows a task by its recorded reference from a new client (a restarted manager)', async () => {
    const before = connect();
    const where = await placement(before);
    const reference = await before.cloneVm({
      source: where.template,
      name: 'machine-across-restart',
      folder: where.folder,
      pool: where.pool,
      linkedCloneSnapshot: where.snapshot,
    });
    expect(reference).toMatch(/^task-\d+$/);
    // What status records: a plain string. The old client and its session go away.
    const recorded = JSON.parse(JSON.stringify({ taskRef: reference })) as { taskRef: string };
    await before.session.close();

    const calls = counter();
    const after = connect({}, calls);
    const running = await after.taskInfo(recorded.taskRef);
    expect(running).toMatchObject({ reference, name: expect.stringMatching(/^CloneVm/i) });
    expect(interpretTask(running as TaskInfo).state).toBe('running');
    const done = await waitForTask(after, recorded.taskRef);
    expect(interpretTask(done)).toEqual({ state: 'succeeded' });
    expect(done.result).toMatchObject({ type: 'VirtualMachine' });
    expect(calls.calls.Login).toBe(1);
    // Each read of the task is one property read, never a wait on vCenter's side.
    expect(calls.calls.WaitForUpdatesEx).toBeUndefined();
    await waitForTask(after, await after.destroyVm(done.result as MoRef));
  });

  it('classifies a wrong password as LoginRefused (InvalidLogin), without the password in the message', async () => {
    const client = connect({ password: 'not-the-password' });
    const failure = await failureOf(client.session.verify());
    expect(failure.kind).toBe('LoginRefused');
    expect(failure.details.platformCode).toBe('InvalidLogin');
    expect(failure.message).toContain('Login(SessionManager)');
    expect(failure.message).not.toContain('not-the-password');
    // The login back-off holds the same wrong password after refusals instead of asking again.
    const calls = counter();
    const held = new VsphereClient(
      new VsphereSession(credential({ password: 'wrong-again' }), { recorder: calls }),
    );
    opened.push(held.session);
    for (let i = 0; i < 5; i++) await failureOf(held.session.verify());
    expect(calls.calls.Login).toBeLessThan(5);
  });

  it('verifies the certificate by CA bundle, or by pinned SHA-256 thumbprint; refuses a mismatch with both thumbprints', async () => {
    const byCa = connect();
    expect((await byCa.serviceContent()).about.fullName).toContain('VMware');

    const byThumbprint = connect({ caCertificate: undefined, thumbprint: vcsim.thumbprint });
    expect(await byThumbprint.findByInventoryPath('/DC0')).toMatchObject({ type: 'Datacenter' });
    // Any spelling of the same thumbprint: lower case, no colons.
    const bare = connect({
      caCertificate: undefined,
      thumbprint: vcsim.thumbprint.replace(/:/g, '').toLowerCase(),
    });
    expect(await bare.findByInventoryPath('/DC1')).toMatchObject({ type: 'Datacenter' });

    const wrong = `${vcsim.thumbprint.slice(0, -2)}${vcsim.thumbprint.endsWith('00') ? '01' : '00'}`;
    // The pin decides alone: even with the right CA, a wrong pin is refused.
    const pinnedWrong = connect({ thumbprint: wrong });
    const refused = await failureOf(pinnedWrong.session.verify());
    expect(refused.kind).toBe('TLSFailure');
    expect(refused.message).toContain(`has SHA-256 thumbprint ${vcsim.thumbprint}, not the pinned ${wrong}`);

    const unverified = connect({ caCertificate: undefined });
    expect((await failureOf(unverified.session.verify())).kind).toBe('TLSFailure');
    const insecure = connect({ caCertificate: undefined, insecure: true });
    await insecure.session.verify();
  });

  it('logs in again, once and transparently, when the session is terminated from outside', async () => {
    const calls = counter();
    const client = connect({}, calls);
    const vm = await must(client, '/DC0/vm/DC0_C0_RP0_VM1');
    const key = await client.session.sessionKey();
    expect(key).not.toBe('');
    expect(await vcsim.govc('session.ls')).toContain(key);
    await vcsim.govc('session.rm', key);
    expect(await vcsim.govc('session.ls')).not.toContain(key);

    const [props] = await client.properties([vm], ['name']);
    expect(props?.properties.name).toBe('DC0_C0_RP0_VM1');
    expect(calls.calls.Login).toBe(2);
    // The failed call and its repetition after the new login.
    expect(calls.calls.RetrievePropertiesEx).toBe(2);
    expect(await client.session.sessionKey()).not.toBe(key);
  });
});

describe('the seeded inventory', () => {
  it('has two datacenters (failure domains), each with a template, a snapshot for linked clones and a folder', async () => {
    const client = connect();
    for (const dc of vcsim.datacenters) {
      const template = await must(client, dc.template);
      const [props] = await client.properties(
        [template],
        ['config.template', 'snapshot.currentSnapshot', 'name'],
      );
      expect(props?.properties).toMatchObject({ 'config.template': 'true', name: TEMPLATE_NAME });
      expect(props?.properties['snapshot.currentSnapshot']).toMatchObject({ type: 'VirtualMachineSnapshot' });
      expect(await client.findByInventoryPath(dc.folder)).toMatchObject({ type: 'Folder' });
    }
    expect(vcsim.datacenters.map((d) => d.name)).toEqual(['DC0', 'DC1']);
  });
});
