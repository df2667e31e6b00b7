import { PlatformFailure } from '@immutable-infra/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyDcsFailure,
  DcsClient,
  DcsLookupError,
  DcsSessionPool,
  dcsTaskState,
  isBusy,
  isStoppedOnlyDelete,
} from '../../src/cloud/index.js';
import {
  cloneRequest,
  createVm,
  credentialFor,
  failureOf,
  type Simulator,
  settle,
  startSimulator,
  succeeded,
} from './simulator.js';

describe('DcsClient against the simulator', () => {
  let sim: Simulator;
  let pool: DcsSessionPool;
  let client: DcsClient;
  const operations: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator();
    pool = new DcsSessionPool();
    client = new DcsClient(pool.session(credentialFor(sim)), {
      recorder: {
        record: (operation, call) => {
          operations.push(operation);
          return call();
        },
      },
    });
  });

  afterAll(async () => {
    await pool.closeAll();
    await sim.close();
  });

  describe('inventory', () => {
    it('resolves the only site, or a site by its id in any case', async () => {
      const site = await client.resolveSite();
      const id = site.urn.split(':').pop() ?? '';
      expect(site.uri).toBe(`/service/sites/${id}`);
      expect((await client.resolveSite(id.toLowerCase())).urn).toBe(site.urn);
      const missing = await failureOf(client.resolveSite('FFFFFFFF'));
      expect(missing).toBeInstanceOf(DcsLookupError);
      expect((missing as Error).message).toContain('"FFFFFFFF"');
    });

    it('finds templates by exact name only', async () => {
      const template = await client.findTemplate('ubuntu-2204-k8s-v1.35');
      expect(template).toMatchObject({ name: 'ubuntu-2204-k8s-v1.35', isTemplate: true });
      expect(await client.findTemplate('ubuntu-2204-k8s')).toBeUndefined();
      expect(await client.findVmByName('ubuntu-2204-k8s-v1.35')).toBeUndefined();
    });

    it('resolves clusters, hosts, datastores, folders and port groups by name', async () => {
      const cluster = await client.resolveCluster('ComputeCluster');
      expect(cluster.urn).toMatch(/:clusters:/);
      expect((await client.resolveHost('CNA02', cluster.urn)).clusterUrn).toBe(cluster.urn);
      expect((await client.resolveDatastore('datastore-nas-01')).storageType).toBe('NAS');
      expect((await client.resolveFolder('kubernetes')).name).toBe('kubernetes');
      const portGroup = await client.resolvePortGroup('DVS-Business', 'business-vlan200');
      expect(portGroup).toMatchObject({ name: 'business-vlan200', vlanId: 200 });
      expect(portGroup.urn).toMatch(/:dvswitchs:\d+:portgroups:\d+$/);
    });

    it('picks the datastore with the most free space from a datastore cluster', async () => {
      const datastores = await Promise.all(
        ['datastore-ssd-01', 'datastore-ssd-02'].map((name) => client.resolveDatastore(name)),
      );
      const roomiest = datastores.reduce((a, b) => ((a.freeSizeGB ?? 0) >= (b.freeSizeGB ?? 0) ? a : b));
      expect((await client.resolveDatastoreCluster('ssd-pool')).urn).toBe(roomiest.urn);
    });

    it('says what it looked for when something is missing', async () => {
      const cases: Array<[Promise<unknown>, RegExp]> = [
        [client.resolveCluster('NoSuchCluster'), /DCS cluster "NoSuchCluster" not found in site/],
        [client.resolveHost('CNA99'), /DCS host "CNA99" not found/],
        [client.resolveDatastore('nope'), /DCS datastore "nope" not found/],
        [client.resolveDatastoreCluster('nope'), /DCS datastore cluster "nope" not found/],
        [client.resolveFolder('nope'), /DCS folder "nope" not found/],
        [client.resolvePortGroup('DVS-Nope', 'x'), /DCS distributed switch "DVS-Nope" not found/],
        [
          client.resolvePortGroup('DVS-Business', 'management'),
          /DCS port group "management" not found in distributed switch "DVS-Business"/,
        ],
      ];
      for (const [call, message] of cases) {
        const error = await failureOf(call);
        expect(error).toBeInstanceOf(DcsLookupError);
        expect(classifyDcsFailure(error)).toEqual({
          kind: 'not-found',
          reason: expect.stringMatching(message),
        });
      }
    });

    it('records every method as one platform call', async () => {
      operations.length = 0;
      await client.listSites();
      await client.resolvePortGroup('DVS-Business', 'business-vlan100');
      await failureOf(client.resolveFolder('nope'));
      expect(operations).toEqual(['ListSites', 'ResolvePortGroup', 'ResolveFolder']);
    });
  });

  describe('VMs', () => {
    it('clones from a template; the task runs, then succeeds, and the VM appears', async () => {
      // Held by the stuckCreating fault, so the running state is seen however loaded the machine is.
      sim.setFaults({ stuckCreating: ['clone-1'] });
      try {
        const template = await client.findTemplate('ubuntu-2204-k8s-v1.34');
        if (!template) throw new Error('no template');
        const clone = await client.cloneVm(template.uri, await cloneRequest(client, 'clone-1', false));
        expect(clone.vmUrn).toMatch(/:vms:i-[0-9A-F]{8}$/);

        expect(dcsTaskState(await client.getTask(clone.taskUri)).state).toBe('running');
        expect((await client.getVm(clone.vmUri))?.status).toBe('creating');
        sim.setFaults({});

        expect(await settle(client, clone.taskUri)).toEqual({ state: 'succeeded' });
        const vm = await client.findVmByName('clone-1');
        expect(vm).toMatchObject({
          urn: clone.vmUrn,
          uri: clone.vmUri,
          status: 'stopped',
          isTemplate: false,
        });
        expect(vm?.vmConfig?.nics[0]?.ip).toBe('192.0.2.10');
      } finally {
        sim.setFaults({});
      }
    });

    it('stops a running VM safely, then deletes it', async () => {
      const { vmUri } = await createVm(client, 'stop-then-delete');
      expect((await client.getVm(vmUri))?.status).toBe('running');
      await succeeded(client, (await client.stopVm(vmUri, 'safe')).taskUri);
      expect((await client.getVm(vmUri))?.status).toBe('stopped');
      await succeeded(client, (await client.deleteVm(vmUri)).taskUri);
      expect(await client.getVm(vmUri)).toBeUndefined();
      expect(await client.findVmByName('stop-then-delete')).toBeUndefined();
    });

    it('starts a stopped VM', async () => {
      const { vmUri } = await createVm(client, 'start-me', false);
      await succeeded(client, (await client.startVm(vmUri)).taskUri);
      expect((await client.getVm(vmUri))?.status).toBe('running');
    });
  });

  describe('volumes', () => {
    it('creates, attaches, refuses to delete while attached, detaches and deletes', async () => {
      const { vmUri, vmUrn } = await createVm(client, 'volume-host', false);
      const datastore = await client.resolveDatastore('datastore-ssd-02');
      const created = await client.createVolume({
        name: 'etcd-192-0-2-11-1',
        quantityGB: 20,
        datastoreUrn: datastore.urn,
      });
      await succeeded(client, created.taskUri);
      expect(await client.findVolumeByName('etcd-192-0-2-11-1')).toMatchObject({
        urn: created.volumeUrn,
        quantityGB: 20,
        status: 'FREE',
      });

      await succeeded(client, (await client.attachVolume(vmUri, created.volumeUrn, 2)).taskUri);
      expect(await client.findVolumeByName('etcd-192-0-2-11-1')).toMatchObject({ status: 'USE', vmUrn });

      const busy = await failureOf(client.deleteVolume(created.volumeUri));
      expect(isBusy(busy)).toBe(true);
      expect(classifyDcsFailure(busy).kind).toBe('busy');

      await succeeded(client, (await client.detachVolume(vmUri, created.volumeUrn)).taskUri);
      await succeeded(client, (await client.deleteVolume(created.volumeUri)).taskUri);
      expect(await client.findVolumeByName('etcd-192-0-2-11-1')).toBeUndefined();
      expect((await client.listVolumes()).some((volume) => volume.urn === created.volumeUrn)).toBe(false);
    });

    it('renames a volume and converts it to an independent shared one in place, reads it by URN, lists datastore cluster members', async () => {
      const datastore = await client.resolveDatastore('datastore-ssd-01');
      const created = await client.createVolume({
        name: 'legacy-disk',
        quantityGB: 10,
        datastoreUrn: datastore.urn,
        type: 'normal',
        indepDisk: false,
      });
      await succeeded(client, created.taskUri);
      expect(await client.getVolume(created.volumeUrn)).toMatchObject({
        name: 'legacy-disk',
        type: 'normal',
        indepDisk: false,
        persistentDisk: true,
      });
      // FusionCompute answers a modify at once: no task to follow.
      expect(await client.modifyVolume(created.volumeUrn, { name: 'pool-0123abcd' })).toEqual({
        taskUri: undefined,
      });
      expect(await client.modifyVolume(created.volumeUri, { type: 'share' })).toEqual({ taskUri: undefined });
      expect(await client.findVolumeByName('pool-0123abcd')).toMatchObject({
        urn: created.volumeUrn,
        type: 'share',
        indepDisk: true,
      });
      await succeeded(client, (await client.deleteVolume(created.volumeUri)).taskUri);
      expect(await client.getVolume(created.volumeUrn)).toBeUndefined();
      expect(await client.datastoreClusterMembers('ssd-pool')).toEqual([
        datastore.urn,
        (await client.resolveDatastore('datastore-ssd-02')).urn,
      ]);
    });
  });

  describe('ISO upload and CD-ROM', () => {
    it('uploads once, reuses a complete upload, attaches, detaches and deletes it', async () => {
      const { vmUri } = await createVm(client, 'iso-host', false);
      const datastore = await client.resolveDatastore('datastore-nas-01');
      const iso = new Uint8Array(64 * 1024).map((_, i) => i % 251);

      const first = await client.uploadIso(datastore.urn, 'iso-host.iso', iso);
      expect(first).toMatchObject({ reused: false, datastoreUrn: datastore.urn });
      expect(first.filePath).toContain('iso-host.iso');
      const again = await client.uploadIso(datastore.uri, 'iso-host.iso', iso);
      expect(again).toEqual({ ...first, reused: true });
      const uploads = sim.state().uploads.filter((upload) => upload.fileName === 'iso-host.iso');
      expect(uploads).toHaveLength(1);
      expect(uploads[0]?.complete).toBe(true);

      await succeeded(client, (await client.attachCdrom(vmUri, first.filePath, datastore.urn)).taskUri);
      expect((await client.getVm(vmUri))?.cdRomStatus).toBe('attached');
      const inUse = await failureOf(client.deleteUpload(first.uploadUri));
      expect(inUse).toBeInstanceOf(PlatformFailure);
      expect(inUse).toMatchObject({ kind: 'Conflict', details: { httpStatus: 409 } });

      await succeeded(client, (await client.detachCdrom(vmUri)).taskUri);
      expect((await client.getVm(vmUri))?.cdRomStatus).toBe('empty');
      await client.deleteUpload(first.uploadUri);
      await client.deleteUpload(first.uploadUri);
      expect(await client.findUpload('iso-host.iso')).toBeUndefined();
    });
  });

  describe('DRS rules', () => {
    it('creates, keeps, changes and deletes a mutual-exclusion rule', async () => {
      const [a, b] = [await createVm(client, 'cp-0', false), await createVm(client, 'cp-1', false)];
      const cluster = await client.resolveCluster('ComputeCluster');

      const created = await client.ensureAntiAffinityRule(cluster.uri, 'capi-demo-cp', [a.vmUrn, b.vmUrn]);
      expect(created.action).toBe('created');
      if (created.taskUri) await succeeded(client, created.taskUri);
      const ruleIndex =
        created.ruleIndex ??
        (await client.getCluster(cluster.uri)).drsSetting?.drsRules.find((r) => r.ruleName === 'capi-demo-cp')
          ?.ruleIndex;
      expect(ruleIndex).toBeTypeOf('number');

      expect(
        await client.ensureAntiAffinityRule(cluster.uri, 'capi-demo-cp', [b.vmUrn, a.vmUrn]),
      ).toMatchObject({
        action: 'unchanged',
        ruleIndex,
      });

      const c = await createVm(client, 'cp-2', false);
      const modified = await client.ensureAntiAffinityRule(cluster.urn, 'capi-demo-cp', [a.vmUrn, c.vmUrn]);
      expect(modified).toMatchObject({ action: 'modified', ruleIndex });
      if (modified.taskUri) await succeeded(client, modified.taskUri);
      const rule = (await client.getCluster(cluster.uri)).drsSetting?.drsRules.find(
        (r) => r.ruleName === 'capi-demo-cp',
      );
      expect(rule).toMatchObject({ ruleIndex, ruleType: 2 });
      expect([...(rule?.vms ?? [])].sort()).toEqual([a.vmUrn, c.vmUrn].sort());

      const deleted = await client.deleteRule(cluster.uri, 'capi-demo-cp');
      expect(deleted.deleted).toBe(true);
      if (deleted.taskUri) await succeeded(client, deleted.taskUri);
      expect((await client.deleteRule(cluster.uri, 'capi-demo-cp')).deleted).toBe(false);
      expect(
        (await client.getCluster(cluster.uri)).drsSetting?.drsRules.some(
          (r) => r.ruleName === 'capi-demo-cp',
        ),
      ).toBe(false);
    });
  });
});

describe('a site that deletes only stopped VMs', () => {
  it('refuses to delete a running VM with 102212808, which the client classifies', async () => {
    const sim = await startSimulator({ faults: { stoppedOnlyDelete: true } });
    const pool = new DcsSessionPool();
    try {
      const client = new DcsClient(pool.session(credentialFor(sim)));
      const { vmUri } = await createVm(client, 'policy-bound');
      const refused = await failureOf(client.deleteVm(vmUri));
      expect(isStoppedOnlyDelete(refused)).toBe(true);
      expect(classifyDcsFailure(refused)).toMatchObject({
        kind: 'stopped-only-delete',
        reason: expect.stringMatching(/^DCS DELETE \S+ answered \d+ 102212808: \S/),
      });
      await succeeded(client, (await client.stopVm(vmUri, 'force')).taskUri);
      await succeeded(client, (await client.deleteVm(vmUri)).taskUri);
      expect(await client.getVm(vmUri)).toBeUndefined();
    } finally {
      await pool.closeAll();
      await sim.close();
    }
  });
});
