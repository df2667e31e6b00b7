// BaremetalHost against a real kube-apiserver and a real Redfish BMC: sushy-tools' emulator
// (tools/sushy) with its fake systems, over HTTPS with basic authentication. The host boots its
// SeedImage once: the ISO URL inserted as virtual CD (the emulator downloads it), a one-time boot
// override to CD, power on; all read back from Redfish. Power state and hardware land in status and
// on the MachineInventory it registered as. A wrong password, a BMC that does not answer, a
// certificate not trusted, plain HTTP without consent and a missing Secret each say why on
// BMCAccessible, never with the password. A host registered already is left alone, and a crash
// after "power on requested" was recorded repeats no step.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, Manager } from '@immutable-infra/manager';
import { eventually } from '@immutable-infra/testkit';
import { createTestNamespace, testKubeConfig } from '@immutable-infra/testkit/vitest';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaremetalProvider } from '../src/index.js';
import { BaremetalFixtures, INFRA } from './baremetal-fixtures.js';
import { freePort, SushyEmulator } from './sushy-emulator.js';

const ELEMENTAL = 'elemental.cattle.io/v1beta1';
const USER = 'admin';
const PASSWORD = 'bmc-Secret-7f3a';
const HOST_UUID = '4f1c9a52-7d0e-4b8e-9a51-0d6c2f1e9b01';
const SPARE_UUID = '4f1c9a52-7d0e-4b8e-9a51-0d6c2f1e9b02';
const RUNNING_UUID = '4f1c9a52-7d0e-4b8e-9a51-0d6c2f1e9b03';
const CRASHED_UUID = '4f1c9a52-7d0e-4b8e-9a51-0d6c2f1e9b04';
const ON_UUID = '4f1c9a52-7d0e-4b8e-9a51-0d6c2f1e9b05';
const MAC = '52:54:00:6b:3c:01';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface HostObject {
  status?: {
    powerState?: string;
    hardware?: { systemUUID?: string; manufacturer?: string; nics?: { mac: string }[] };
    provisioning?: { state?: string; seedImage?: string; imageSha256?: string };
    lastOperation?: { name: string; result: string; message?: string };
    machineInventoryRef?: { name: string };
    conditions?: Condition[];
  };
}

let kubeConfig: KubeConfig;
let namespace: string;
let fixtures: BaremetalFixtures;
let manager: Manager;
let bmc: SushyEmulator;
let isoServer: Server;
let isoUrl: string;
let isoDownloads = 0;

const condition = (host: HostObject | undefined, type: string) =>
  host?.status?.conditions?.find((c) => c.type === type);
const host = (name: string) => fixtures.read<HostObject>(INFRA, 'BaremetalHost', namespace, name);

async function createHost(name: string, bmcSpec: Record<string, unknown>): Promise<void> {
  await fixtures.create({
    apiVersion: INFRA,
    kind: 'BaremetalHost',
    metadata: { name, namespace },
    spec: { bmc: bmcSpec, seedImageRef: { name: 'fire-img' } },
  });
}

async function secret(name: string, data: Record<string, string>): Promise<void> {
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name, namespace }, stringData: data },
  });
}

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  namespace = await createTestNamespace(kubeConfig, 'baremetal-host');
  fixtures = new BaremetalFixtures(kubeConfig);
  // The SeedImage's ISO, served as elemental-operator serves it; the BMC downloads it on insert.
  isoServer = createServer((_request, res) => {
    isoDownloads += 1;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.alloc(64 * 1024, 1));
  });
  await new Promise<void>((resolve) => isoServer.listen(0, '127.0.0.1', resolve));
  isoUrl = `http://127.0.0.1:${(isoServer.address() as AddressInfo).port}/elemental/seedimage/tok3n/fire-img.iso`;
  bmc = await SushyEmulator.start({
    username: USER,
    password: PASSWORD,
    systems: [
      { uuid: HOST_UUID, name: 'rack1-host1', nics: [{ mac: MAC, ip: '192.168.254.41' }] },
      { uuid: SPARE_UUID, name: 'rack1-host2' },
      { uuid: RUNNING_UUID, name: 'rack1-host3', powerState: 'On' },
      { uuid: CRASHED_UUID, name: 'rack1-host4' },
      { uuid: ON_UUID, name: 'rack1-host5', powerState: 'On' },
    ],
  });
  manager = new Manager({
    kubeConfig,
    namespace,
    providers: [createBaremetalProvider({ imageCatalogNamespace: namespace, hosts: { pollMs: 500 } })],
    log: createLogger({ level: 'error' }),
  });
  void manager.start();

  // The registration objects a user makes, and the SeedImage once elemental-operator built it.
  await fixtures.create({
    apiVersion: ELEMENTAL,
    kind: 'MachineRegistration',
    metadata: { name: 'fire-nodes', namespace },
    spec: { config: { elemental: { install: { device: '/dev/sda' } } } },
  });
  await fixtures.create({
    apiVersion: ELEMENTAL,
    kind: 'SeedImage',
    metadata: { name: 'fire-img', namespace },
    spec: { registrationRef: { name: 'fire-nodes', namespace } },
  });
  await kubeConfig.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
    {
      group: 'elemental.cattle.io',
      version: 'v1beta1',
      namespace,
      plural: 'seedimages',
      name: 'fire-img',
      body: { status: { downloadURL: isoUrl, state: 'Completed' } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await secret('host1-bmc', { username: USER, password: PASSWORD });
  await secret('wrong-bmc', { username: USER, password: 'not-the-password' });
});

afterAll(async () => {
  await manager?.stop();
  await bmc?.stop();
  await new Promise((resolve) => isoServer?.close(resolve));
});

describe('BaremetalHost over Redfish', () => {
  it('boots the SeedImage once: virtual CD, one-time boot override, power on, read back from the BMC', async () => {
    await createHost('host1', {
      address: bmc.address(HOST_UUID),
      credentialsName: 'host1-bmc',
      disableCertificateVerification: true,
    });
    const booted = await eventually(
      'host1 booted',
      async () => {
        const h = await host('host1');
        return h?.status?.provisioning?.state === 'Booted' && condition(h, 'Ready')?.status === 'True'
          ? h
          : undefined;
      },
      120_000,
      200,
    ).catch((error: unknown) => {
      throw new Error(`${error}\nemulator log:\n${bmc.log().slice(-3000)}`);
    });

    // What the BMC says now.
    const media = await bmc.get<{ Image?: string; Inserted?: boolean }>(
      `/redfish/v1/Systems/${HOST_UUID}/VirtualMedia/Cd`,
    );
    expect(media.body.Image).toBe(isoUrl);
    expect(media.body.Inserted).toBe(true);
    const system = await bmc.get<{ PowerState?: string; Boot?: { BootSourceOverrideTarget?: string } }>(
      `/redfish/v1/Systems/${HOST_UUID}`,
    );
    expect(system.body.Boot?.BootSourceOverrideTarget).toBe('Cd');
    expect(system.body.PowerState).toBe('On');
    // The BMC fetched the ISO once: the insert was not repeated.
    expect(isoDownloads).toBe(1);

    // Status: power, hardware, the last operation, the Ready reason.
    const after = await eventually('power state On in status', async () => {
      const h = await host('host1');
      return h?.status?.powerState === 'On' ? h : undefined;
    });
    expect(after.status?.hardware?.systemUUID).toBe(HOST_UUID);
    expect(after.status?.hardware?.manufacturer).toBe('Sushy Emulator');
    expect(after.status?.hardware?.nics).toEqual([{ name: MAC, mac: MAC }]);
    expect(after.status?.provisioning?.seedImage).toBe('fire-img');
    expect(after.status?.lastOperation).toMatchObject({ name: 'PowerOn', result: 'Succeeded' });
    expect(condition(booted, 'Ready')?.reason).toBe('Booted');
    expect(condition(booted, 'BMCAccessible')).toMatchObject({ status: 'True', reason: 'Connected' });
    // The download token in the ISO's URL is kept out of status: only its hash is there.
    expect(JSON.stringify(after.status)).not.toContain('tok3n');
  });

  it('shows power state and hardware on the MachineInventory the host registered as', async () => {
    // elemental-operator registers the booted host under its SMBIOS UUID.
    await fixtures.create({
      apiVersion: ELEMENTAL,
      kind: 'MachineInventory',
      metadata: {
        name: 'm-4f1c9a52',
        namespace,
        annotations: { 'elemental.cattle.io/machine-uuid': HOST_UUID },
      },
      spec: { tpmHash: 'a1', machineHash: 'b2' },
    });
    // The host is read again every minute; a change to it is noticed at once.
    await fixtures.objects.patch(
      {
        apiVersion: INFRA,
        kind: 'BaremetalHost',
        metadata: { name: 'host1', namespace, labels: { rack: 'r1' } },
      },
      undefined,
      undefined,
      'baremetal-host-test',
      undefined,
      PatchStrategy.MergePatch,
    );
    const linked = await eventually('inventory linked', async () => {
      const h = await host('host1');
      return h?.status?.machineInventoryRef?.name === 'm-4f1c9a52' ? h : undefined;
    });
    expect(condition(linked, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Registered',
      message: 'registered as MachineInventory m-4f1c9a52; power On',
    });
    const inventory = await fixtures.read<{ metadata: { annotations?: Record<string, string> } }>(
      ELEMENTAL,
      'MachineInventory',
      namespace,
      'm-4f1c9a52',
    );
    expect(inventory?.metadata.annotations).toMatchObject({
      'baremetal.alauda.io/baremetalhost': 'host1',
      'baremetal.alauda.io/power-state': 'On',
      'baremetal.alauda.io/hardware': 'Sushy Emulator, 1 NICs',
    });
    // Still booted once: nothing inserted or powered again.
    expect(isoDownloads).toBe(1);
  });

  it('leaves a host that registered already as it is: no media, no restart', async () => {
    await fixtures.create({
      apiVersion: ELEMENTAL,
      kind: 'MachineInventory',
      metadata: { name: 'm-running', namespace, labels: { machineUUID: RUNNING_UUID.toUpperCase() } },
      spec: { tpmHash: 'c3', machineHash: 'd4' },
    });
    await createHost('host3', {
      address: bmc.address(RUNNING_UUID),
      credentialsName: 'host1-bmc',
      disableCertificateVerification: true,
    });
    const registered = await eventually('host3 registered', async () => {
      const h = await host('host3');
      return condition(h, 'Ready')?.reason === 'Registered' ? h : undefined;
    });
    expect(registered.status?.machineInventoryRef?.name).toBe('m-running');
    expect(registered.status?.powerState).toBe('On');
    expect(registered.status?.provisioning?.state).toBeUndefined();
    expect(registered.status?.lastOperation).toBeUndefined();
    const media = await bmc.get<{ Image?: string | null }>(
      `/redfish/v1/Systems/${RUNNING_UUID}/VirtualMedia/Cd`,
    );
    expect(media.body.Image || undefined).toBeUndefined();
    expect(isoDownloads).toBe(1);
  });

  it('names a wrong password, an unreachable BMC, an untrusted certificate, plain HTTP and a missing Secret', async () => {
    const closedPort = await freePort();
    await createHost('wrong-password', {
      address: bmc.address(SPARE_UUID),
      credentialsName: 'wrong-bmc',
      disableCertificateVerification: true,
    });
    await createHost('unreachable', {
      address: `redfish+https://127.0.0.1:${closedPort}/redfish/v1/Systems/${SPARE_UUID}`,
      credentialsName: 'host1-bmc',
    });
    await createHost('untrusted', { address: bmc.address(SPARE_UUID), credentialsName: 'host1-bmc' });
    await createHost('plain-http', {
      address: `redfish+http://127.0.0.1:${closedPort}/redfish/v1/Systems/${SPARE_UUID}`,
      credentialsName: 'host1-bmc',
    });
    await createHost('no-secret', { address: bmc.address(SPARE_UUID), credentialsName: 'absent-bmc' });

    const reasonOf = async (name: string, expected: string) =>
      eventually(`${name}: ${expected}`, async () => {
        const h = await host(name);
        return condition(h, 'BMCAccessible')?.reason === expected ? h : undefined;
      });
    const wrong = await reasonOf('wrong-password', 'CredentialsRejected');
    expect(condition(wrong, 'BMCAccessible')?.message).toContain('HTTP 401');
    expect(condition(wrong, 'Ready')).toMatchObject({ status: 'False', reason: 'LoginFailed' });
    const unreachable = await reasonOf('unreachable', 'BMCUnreachable');
    expect(condition(unreachable, 'Ready')).toMatchObject({ status: 'False', reason: 'Unreachable' });
    const untrusted = await reasonOf('untrusted', 'BMCCertificateNotTrusted');
    expect(condition(untrusted, 'Ready')).toMatchObject({ status: 'False', reason: 'TLSFailure' });
    // Plain HTTP is refused before anything is sent, unless the Secret accepts it.
    const plain = await reasonOf('plain-http', 'CredentialsInvalid');
    expect(condition(plain, 'BMCAccessible')?.message).toContain('allowPlainHTTP: "true"');
    const missing = await reasonOf('no-secret', 'CredentialsMissing');
    expect(condition(missing, 'BMCAccessible')?.message).toContain('absent-bmc');

    // None of them touched the spare system.
    const spare = await bmc.get<{ PowerState?: string }>(`/redfish/v1/Systems/${SPARE_UUID}`);
    expect(spare.body.PowerState).toBe('Off');
    const spareMedia = await bmc.get<{ Image?: string | null }>(
      `/redfish/v1/Systems/${SPARE_UUID}/VirtualMedia/Cd`,
    );
    expect(spareMedia.body.Image || undefined).toBeUndefined();

    // The password is nowhere in the hosts or their Events.
    const hosts = await Promise.all(
      ['host1', 'wrong-password', 'unreachable', 'untrusted', 'no-secret'].map(host),
    );
    const events = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace });
    const shown = JSON.stringify([hosts, events.items]);
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain('not-the-password');
    expect(shown).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });

  it('after a crash takes up at the step recorded: no step repeated, an overdue power on sent again', async () => {
    // A manager that recorded "power on requested" (an hour ago) and died before sending it: the
    // host has no Secret yet, so nothing runs until the recorded status is in place.
    await createHost('host4', {
      address: bmc.address(CRASHED_UUID),
      credentialsName: 'host4-bmc',
      disableCertificateVerification: true,
    });
    await eventually('host4 waits for its Secret', async () => {
      const h = await host('host4');
      return condition(h, 'BMCAccessible')?.reason === 'CredentialsMissing' ? h : undefined;
    });
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await kubeConfig.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
      {
        group: 'infrastructure.cluster.x-k8s.io',
        version: 'v1beta1',
        namespace,
        plural: 'baremetalhosts',
        name: 'host4',
        body: {
          status: {
            provisioning: {
              state: 'PowerOnRequested',
              seedImage: 'fire-img',
              imageSha256: createHash('sha256').update(isoUrl).digest('hex'),
            },
            lastOperation: { name: 'PowerOn', result: 'Succeeded', time: hourAgo },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await secret('host4-bmc', { username: USER, password: PASSWORD });
    await fixtures.objects.patch(
      {
        apiVersion: INFRA,
        kind: 'BaremetalHost',
        metadata: { name: 'host4', namespace, labels: { rack: 'r1' } },
      },
      undefined,
      undefined,
      'baremetal-host-test',
      undefined,
      PatchStrategy.MergePatch,
    );
    const booted = await eventually(
      'host4 booted',
      async () => {
        const h = await host('host4');
        return h?.status?.provisioning?.state === 'Booted' ? h : undefined;
      },
      120_000,
      200,
    );
    expect(booted.status?.lastOperation).toMatchObject({ name: 'PowerOn', message: 'power on sent again' });
    const system = await bmc.get<{ PowerState?: string; Boot?: { BootSourceOverrideTarget?: string } }>(
      `/redfish/v1/Systems/${CRASHED_UUID}`,
    );
    expect(system.body.PowerState).toBe('On');
    // The steps recorded as done were not sent again: no media inserted, no boot override set.
    const media = await bmc.get<{ Image?: string | null }>(
      `/redfish/v1/Systems/${CRASHED_UUID}/VirtualMedia/Cd`,
    );
    expect(media.body.Image || undefined).toBeUndefined();
    expect(system.body.Boot?.BootSourceOverrideTarget).toBe('Hdd');
    expect(isoDownloads).toBe(1);
  });

  it('restarts a host that is on but not registered, so it boots the virtual CD', async () => {
    await createHost('host5', {
      address: bmc.address(ON_UUID),
      credentialsName: 'host1-bmc',
      disableCertificateVerification: true,
    });
    const booted = await eventually(
      'host5 booted',
      async () => {
        const h = await host('host5');
        return h?.status?.provisioning?.state === 'Booted' ? h : undefined;
      },
      120_000,
      200,
    );
    expect(booted.status?.lastOperation).toMatchObject({ name: 'PowerOn', message: 'restart requested' });
    const media = await bmc.get<{ Image?: string }>(`/redfish/v1/Systems/${ON_UUID}/VirtualMedia/Cd`);
    expect(media.body.Image).toBe(isoUrl);
    const system = await bmc.get<{ PowerState?: string }>(`/redfish/v1/Systems/${ON_UUID}`);
    expect(system.body.PowerState).toBe('On');
    expect(isoDownloads).toBe(2);
  });

  it('lets a deleted host go, leaving the machine as it is', async () => {
    const names = [
      'host1',
      'host3',
      'host4',
      'host5',
      'wrong-password',
      'unreachable',
      'untrusted',
      'plain-http',
      'no-secret',
    ];
    for (const name of names) await fixtures.delete(INFRA, 'BaremetalHost', namespace, name);
    await eventually('hosts gone', async () =>
      (await Promise.all(names.map(host))).every((h) => h === undefined),
    );
    const system = await bmc.get<{ PowerState?: string }>(`/redfish/v1/Systems/${HOST_UUID}`);
    expect(system.body.PowerState).toBe('On');
  });

  it('refuses a BMC address that is not Redfish, naming the field', async () => {
    const refused = await createHost('ipmi', {
      address: 'ipmi://10.0.0.5:623',
      credentialsName: 'host1-bmc',
    }).then(
      () => undefined,
      (error: unknown) => String((error as { body?: unknown }).body ?? error),
    );
    expect(refused).toContain('spec.bmc.address');
  });
});
