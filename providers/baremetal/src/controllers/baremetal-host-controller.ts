import {
  done,
  type ExtraKindHooks,
  falseCondition,
  type ObjectContext,
  PlatformFailure,
  platformFailed,
  requeue,
  type Step,
  type StepResult,
  stepPlan,
  trueCondition,
} from '@immutable-infra/core';
import { keepAnnotations, ObjectClients } from '@immutable-infra/provider-kit';
import {
  PlainHttpConsent,
  parseCredentialData,
  secureConnectionCondition,
} from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';
import { BaremetalHost, type HardwareDetails } from '../api/baremetal-host.js';
import {
  ELEMENTAL_API_VERSION,
  HOST_ANNOTATIONS,
  inventoryRef,
  type MachineInventory,
} from '../cloud/machine-inventory.js';
import { sha256 } from '../cloud/plans.js';
import {
  hardwareOf,
  parseRedfishAddress,
  type RedfishAddress,
  RedfishClient,
  type RedfishSystem,
} from '../cloud/redfish.js';

type Ctx = ObjectContext<typeof BaremetalHost>;

/** Whether the provider can talk to the BMC, with a reason an operator can act on. */
export const BMC_ACCESSIBLE = 'BMCAccessible';

// Kept with the inventory's other annotations (the Fleet Essentials extension reads them in a browser).
export { HOST_ANNOTATIONS };

/** The credentials Secret of a BaremetalHost, Metal3's keys. */
const BmcCredentials = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  allowPlainHTTP: PlainHttpConsent,
});

export interface BaremetalHostOptions {
  /** How often a booted host's BMC is read again (power state, hardware); a minute by default. */
  recheckMs?: number;
  /** How often a host is looked at while it powers on; 2 s by default. */
  pollMs?: number;
  /** A power-on request older than this whose host is still off is sent again; 2 minutes by default. */
  powerOnRetryMs?: number;
}

/** The Redfish failure kinds as words an operator acts on; `BMCError` for any other. */
const BMC_REASONS: Partial<Record<PlatformFailure['kind'], string>> = {
  LoginRefused: 'CredentialsRejected',
  AccountLocked: 'CredentialsRejected',
  Unreachable: 'BMCUnreachable',
  Timeout: 'BMCUnreachable',
  TLSFailure: 'BMCCertificateNotTrusted',
  NotFound: 'SystemNotFound',
};

interface Run {
  ctx: Ctx;
  address: RedfishAddress;
  client?: RedfishClient;
  system?: RedfishSystem;
  image?: string;
}

/**
 * Boots a host's elemental SeedImage over its BMC, as Metal3's BareMetalHost does for its deploy
 * image: the ISO's URL inserted as virtual CD, a one-time boot override to CD, power on. Each action
 * looks at the BMC first and is recorded in `status.provisioning` before it is sent, so a restart
 * neither repeats a finished step nor restarts a host twice; once the host has booted it is only
 * observed (power state, hardware facts, shown on its MachineInventory too). BMC credentials come
 * from the Secret `spec.bmc.credentialsName` and go nowhere else.
 */
export function baremetalHostHooks(options: BaremetalHostOptions = {}): ExtraKindHooks<typeof BaremetalHost> {
  const recheckMs = options.recheckMs ?? 60_000;
  const pollMs = options.pollMs ?? 2_000;
  const powerOnRetryMs = options.powerOnRetryMs ?? 120_000;
  // One client (one keep-alive connection pool) per host, replaced when its address or credentials change.
  const clients = new ObjectClients<RedfishClient>();
  const clientFor = (ctx: Ctx, address: RedfishAddress, username: string, password: string) => {
    const insecure = ctx.object.spec.bmc.disableCertificateVerification === true;
    return clients.for(
      ctx.object,
      [address, username, password, insecure],
      () => new RedfishClient(address, { username, password }, { insecureSkipTlsVerify: insecure }),
    );
  };

  const namespaceOf = (ctx: Ctx) => ctx.object.metadata.namespace ?? 'default';
  // The draft starts as the stored status, so this is what was recorded, with this reconcile's changes.
  const provisioning = (ctx: Ctx) => ctx.status.provisioning ?? {};
  // A host that registered already (its MachineInventory exists: booted by hand, by an earlier
  // object, or by us) has nothing to boot: restarting it into the installer would register it again.
  const booted = (run: Run) =>
    provisioning(run.ctx).state === 'Booted' || run.ctx.status.machineInventoryRef !== undefined;

  const recordOperation = (ctx: Ctx, name: string, result: 'Succeeded' | 'Failed', message?: string) => {
    ctx.status.lastOperation = {
      name,
      result,
      time: ctx.clock.now().toISOString(),
      ...(message ? { message } : {}),
    };
  };

  /**
   * A BMC call's failure: on BMCAccessible with its reason, and to the host's back-off; recorded as
   * the last operation when it was one (`operation`).
   */
  const bmcFailure = (ctx: Ctx, error: unknown, operation?: string): StepResult => {
    if (!(error instanceof PlatformFailure)) throw error;
    if (operation) recordOperation(ctx, operation, 'Failed', error.message);
    ctx.setCondition(
      falseCondition(BMC_ACCESSIBLE, BMC_REASONS[error.kind] ?? 'BMCError', error.message, 'Warning'),
    );
    return platformFailed(error);
  };

  const readCredentials: Step<Run> = {
    name: 'ReadCredentials',
    async run(run) {
      const { ctx } = run;
      const name = ctx.object.spec.bmc.credentialsName;
      const data = await ctx.secrets.read(namespaceOf(ctx), name);
      if (!data) {
        const message = `the credentials Secret ${name} does not exist`;
        ctx.setCondition(falseCondition(BMC_ACCESSIBLE, 'CredentialsMissing', message, 'Warning'));
        return requeue(30_000, message, {
          object: { apiVersion: 'v1', kind: 'Secret', namespace: namespaceOf(ctx), name },
        });
      }
      const parsed = parseCredentialData(BmcCredentials, data);
      const problems = parsed.ok ? [] : parsed.problems;
      if (parsed.ok && run.address.plainHttp && !parsed.credentials.allowPlainHTTP)
        problems.push(
          'spec.bmc.address is redfish+http://, which sends the BMC password unencrypted: use redfish+https://, or set allowPlainHTTP: "true" in the Secret to accept that',
        );
      if (!parsed.ok || problems.length > 0) {
        const message = `the credentials Secret ${name}: ${problems.join('; ')}`;
        ctx.setCondition(falseCondition(BMC_ACCESSIBLE, 'CredentialsInvalid', message, 'Warning'));
        return requeue(30_000, message);
      }
      ctx.setCondition(secureConnectionCondition(run.address.plainHttp));
      run.client = clientFor(ctx, run.address, parsed.credentials.username, parsed.credentials.password);
      return done();
    },
  };

  const inspectSystem: Step<Run> = {
    name: 'InspectSystem',
    async run(run) {
      const { ctx } = run;
      const client = run.client as RedfishClient;
      let hardware: HardwareDetails;
      try {
        run.system = await client.system();
        hardware = hardwareOf(run.system, await client.nics(run.system));
      } catch (error) {
        return bmcFailure(ctx, error);
      }
      ctx.setCondition(trueCondition(BMC_ACCESSIBLE, 'Connected'));
      if (run.system.PowerState) ctx.status.powerState = run.system.PowerState;
      ctx.status.hardware = hardware;
      ctx.status.lastUpdated = ctx.clock.now().toISOString();
      return done();
    },
  };

  const linkInventory: Step<Run> = {
    name: 'LinkInventory',
    async run(run) {
      const { ctx } = run;
      const namespace = namespaceOf(ctx);
      const hostName = ctx.object.metadata.name ?? '';
      const uuid = ctx.status.hardware?.systemUUID;
      const wanted = ctx.object.spec.machineInventoryName;
      const inventory = wanted
        ? await ctx.kube.get<MachineInventory>(inventoryRef(namespace, wanted))
        : uuid
          ? (
              await ctx.kube.list<MachineInventory>(ELEMENTAL_API_VERSION, 'MachineInventory', { namespace })
            ).find((candidate) =>
              [
                candidate.metadata.annotations?.['elemental.cattle.io/machine-uuid'],
                candidate.metadata.labels?.machineUUID,
              ].some((value) => sameUuid(value, uuid)),
            )
          : undefined;
      if (!inventory) {
        delete ctx.status.machineInventoryRef;
        return done();
      }
      ctx.status.machineInventoryRef = { name: inventory.metadata.name };
      await keepAnnotations(ctx.kube, inventoryRef(namespace, inventory.metadata.name), inventory, {
        [HOST_ANNOTATIONS.host]: hostName,
        [HOST_ANNOTATIONS.powerState]: ctx.status.powerState ?? 'Unknown',
        [HOST_ANNOTATIONS.hardware]: hardwareSummary(ctx.status.hardware ?? {}),
      });
      return done();
    },
  };

  const resolveSeedImage: Step<Run> = {
    name: 'ResolveSeedImage',
    when: (run) => !booted(run),
    async run(run) {
      const { ctx } = run;
      const name = ctx.object.spec.seedImageRef.name;
      const ref = { apiVersion: ELEMENTAL_API_VERSION, kind: 'SeedImage', namespace: namespaceOf(ctx), name };
      const seed = await ctx.kube.get<{ status?: { downloadURL?: string; state?: string } }>(ref);
      if (!seed) return requeue(15_000, `SeedImage ${name} does not exist`, { object: ref });
      const url = seed.status?.downloadURL;
      if (!url || (seed.status?.state !== undefined && seed.status.state !== 'Completed'))
        return requeue(
          15_000,
          `SeedImage ${name} is not built yet (state ${seed.status?.state ?? 'unknown'})`,
          {
            object: ref,
          },
        );
      run.image = url;
      return done();
    },
  };

  const insertMedia: Step<Run> = {
    name: 'InsertMedia',
    when: (run) => !booted(run),
    async run(run) {
      const { ctx } = run;
      const client = run.client as RedfishClient;
      const image = run.image as string;
      const seedImage = ctx.object.spec.seedImageRef.name;
      const state = provisioning(ctx);
      // A later step was recorded for this very image: the media is in already.
      if (state.imageSha256 === sha256(image) && state.state && state.state !== 'MediaInserted')
        return done();
      try {
        const device = await client.cdDevice(run.system as RedfishSystem);
        if (!device) {
          const message = 'the BMC offers no virtual media device that takes a CD or DVD image';
          recordOperation(ctx, 'InsertMedia', 'Failed', message);
          return { type: 'failed', reason: 'NoVirtualMedia', message };
        }
        if (device.Image !== image || device.Inserted === false) {
          if (device.Image) await client.ejectMedia(device);
          await client.insertMedia(device, image);
          recordOperation(ctx, 'InsertMedia', 'Succeeded', `SeedImage ${seedImage} inserted as virtual CD`);
          ctx.events.normal('MediaInserted', `SeedImage ${seedImage} inserted as virtual CD`);
        }
      } catch (error) {
        return bmcFailure(ctx, error, 'InsertMedia');
      }
      ctx.status.provisioning = { state: 'MediaInserted', seedImage, imageSha256: sha256(image) };
      return done();
    },
  };

  const setBootOverride: Step<Run> = {
    name: 'SetBootOverride',
    when: (run) => provisioning(run.ctx).state === 'MediaInserted',
    async run(run) {
      const { ctx } = run;
      const boot = run.system?.Boot;
      try {
        if (boot?.BootSourceOverrideTarget !== 'Cd' || boot.BootSourceOverrideEnabled === 'Disabled') {
          await (run.client as RedfishClient).bootOnceFromCd();
          recordOperation(ctx, 'SetBootOverride', 'Succeeded', 'next boot from the virtual CD, once');
        }
      } catch (error) {
        return bmcFailure(ctx, error, 'SetBootOverride');
      }
      ctx.status.provisioning = { ...provisioning(ctx), state: 'BootOverrideSet' };
      return done();
    },
  };

  const powerOn: Step<Run> = {
    name: 'PowerOn',
    when: (run) => !booted(run),
    async run(run) {
      const { ctx } = run;
      const client = run.client as RedfishClient;
      const state = provisioning(ctx);
      const power = run.system?.PowerState;
      if (state.state === 'PowerOnRequested') {
        if (power === 'On') {
          ctx.status.provisioning = { ...state, state: 'Booted' };
          ctx.events.normal('Booted', `host powered on to boot SeedImage ${state.seedImage ?? ''}`.trim());
          return done();
        }
        // Sent and not yet on: a BMC applies power changes in its own time. A request lost to a
        // crash before it was sent is sent again once it is clearly overdue ("On" is harmless twice).
        const last = ctx.status.lastOperation;
        const sentAt = last?.name === 'PowerOn' ? Date.parse(last.time) : Number.NaN;
        if (!(ctx.clock.now().getTime() - sentAt < powerOnRetryMs) && power !== 'PoweringOn') {
          try {
            await client.reset('On');
          } catch (error) {
            return bmcFailure(ctx, error);
          }
          recordOperation(ctx, 'PowerOn', 'Succeeded', 'power on sent again');
        }
        return requeue(pollMs, `waiting for the host to power on (now ${power ?? 'unknown'})`);
      }
      // Recorded before it is sent: a restart after this never sends a second reset.
      ctx.status.provisioning = { ...state, state: 'PowerOnRequested' };
      recordOperation(
        ctx,
        'PowerOn',
        'Succeeded',
        power === 'On' ? 'restart requested' : 'power on requested',
      );
      await ctx.saveStatus();
      try {
        await client.reset(power === 'On' ? 'ForceRestart' : 'On');
      } catch (error) {
        return bmcFailure(ctx, error, 'PowerOn');
      }
      ctx.events.normal(
        'PowerOn',
        power === 'On' ? 'host restarted to boot the virtual CD' : 'host powered on',
      );
      return requeue(pollMs, 'waiting for the host to power on');
    },
  };

  const observe: Step<Run> = {
    name: 'Observe',
    async run(run) {
      const inventory = run.ctx.status.machineInventoryRef?.name;
      const power = `power ${run.ctx.status.powerState ?? 'unknown'}`;
      run.ctx.setCondition(
        inventory
          ? trueCondition('Ready', 'Registered', `registered as MachineInventory ${inventory}; ${power}`)
          : trueCondition('Ready', 'Booted', `booted the SeedImage, not registered yet; ${power}`),
      );
      return done({ recheckAfterMs: recheckMs });
    },
  };

  return {
    kind: BaremetalHost,
    async reconcile(ctx: Ctx) {
      const address = parseRedfishAddress(ctx.object.spec.bmc.address);
      if (!address) {
        // The CRD's pattern refuses such an address; an object stored before that is named here.
        return {
          type: 'failed',
          reason: 'InvalidAddress',
          message: 'spec.bmc.address is not redfish+https://host[:port]/redfish/v1/Systems/<id>',
        };
      }
      return stepPlan<Run>({ ctx, address }, [
        readCredentials,
        inspectSystem,
        linkInventory,
        resolveSeedImage,
        insertMedia,
        setBootOverride,
        powerOn,
        observe,
      ]);
    },
    async delete(ctx: Ctx) {
      // The host keeps what it installed; only the client goes. Media is left as it is: a host
      // still installing from it must not lose it because its object was deleted.
      await clients.drop(ctx.object);
      return done();
    },
  };
}

function sameUuid(value: string | undefined, uuid: string): boolean {
  if (!value) return false;
  const plain = (text: string) => text.toLowerCase().replace(/-/g, '');
  return plain(value) === plain(uuid);
}

/** One line for an annotation: `Sushy Emulator, 8 CPUs, 32 GiB, 2 NICs`. */
export function hardwareSummary(hardware: HardwareDetails): string {
  const parts = [
    [hardware.manufacturer, hardware.model].filter(Boolean).join(' '),
    hardware.cpu?.count !== undefined ? `${hardware.cpu.count} CPUs` : '',
    hardware.memoryGiB !== undefined ? `${hardware.memoryGiB} GiB` : '',
    hardware.nics ? `${hardware.nics.length} NICs` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'unknown';
}
