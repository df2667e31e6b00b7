import { type ErrorAnswer, type ErrorAnswerReading, JsonTransport } from '@immutable-infra/provider-kit';
import type { HardwareDetails } from '../api/baremetal-host.js';

/** Where a BaremetalHost's BMC is: the endpoint to send to, and the ComputerSystem's path there. */
export interface RedfishAddress {
  /** `https://host:port` (or `http://` for `redfish+http://`). */
  endpoint: string;
  /** `/redfish/v1/Systems/<id>`. */
  systemPath: string;
  plainHttp: boolean;
}

/** Splits a `redfish+https://host:port/redfish/v1/Systems/<id>` address; undefined when it is not one. */
export function parseRedfishAddress(address: string): RedfishAddress | undefined {
  const match = /^redfish(\+https?)?:\/\/([^/?#\s]+)(\/redfish\/v1\/Systems\/[^/?#\s]+)$/.exec(address);
  if (!match) return undefined;
  const plainHttp = match[1] === '+http';
  try {
    const url = new URL(`${plainHttp ? 'http' : 'https'}://${match[2]}`);
    if (url.username || url.password) return undefined;
    return { endpoint: url.origin, systemPath: match[3] as string, plainHttp };
  } catch {
    return undefined;
  }
}

export interface RedfishCredentials {
  username: string;
  password: string;
}

/** The parts of a ComputerSystem the provider reads. */
export interface RedfishSystem {
  Id?: string;
  UUID?: string;
  Manufacturer?: string;
  Model?: string;
  SerialNumber?: string;
  BiosVersion?: string;
  PowerState?: string;
  Boot?: { BootSourceOverrideTarget?: string; BootSourceOverrideEnabled?: string };
  ProcessorSummary?: { Count?: number; Model?: string };
  MemorySummary?: { TotalSystemMemoryGiB?: number };
  EthernetInterfaces?: { '@odata.id'?: string };
  VirtualMedia?: { '@odata.id'?: string };
  Links?: { ManagedBy?: { '@odata.id'?: string }[] };
}

export interface RedfishVirtualMedia {
  '@odata.id': string;
  Id?: string;
  MediaTypes?: string[];
  Image?: string | null;
  Inserted?: boolean;
  Actions?: {
    '#VirtualMedia.InsertMedia'?: { target?: string };
    '#VirtualMedia.EjectMedia'?: { target?: string };
  };
}

interface Collection {
  Members?: { '@odata.id'?: string }[];
}

/** Redfish's error body: `{"error": {"code", "message", "@Message.ExtendedInfo": [{"Message"}]}}`. */
export function readRedfishError(answer: ErrorAnswer): ErrorAnswerReading | undefined {
  const error = (answer.body as { error?: Record<string, unknown> } | undefined)?.error;
  const extended = (error?.['@Message.ExtendedInfo'] as { Message?: unknown }[] | undefined)?.[0]?.Message;
  const message =
    typeof extended === 'string' ? extended : typeof error?.message === 'string' ? error.message : undefined;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  // A BMC that refuses the user or password answers 401; 403 is a user without the privilege.
  const kind = answer.status === 401 || answer.status === 403 ? 'LoginRefused' : undefined;
  return {
    ...(kind ? { kind } : {}),
    ...(code ? { platformCode: code } : {}),
    ...(message ? { message } : {}),
  };
}

/**
 * A small Redfish client for one ComputerSystem: HTTP basic authentication on every request (no
 * session to leak or expire), the kit's JSON transport (rate limits, retries of reads, links from
 * the BMC followed only under `/redfish/v1/`, the password masked wherever the BMC echoes it).
 */
export class RedfishClient {
  private readonly transport: JsonTransport;

  constructor(
    readonly address: RedfishAddress,
    credentials: RedfishCredentials,
    options: { insecureSkipTlsVerify?: boolean; requestTimeoutMs?: number; maxAttempts?: number } = {},
  ) {
    const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    this.transport = new JsonTransport({
      endpoint: address.endpoint,
      insecureSkipTlsVerify: options.insecureSkipTlsVerify === true,
      // A BMC is a small computer: a few requests at a time, a few per second.
      qps: 5,
      burst: 10,
      maxConcurrentRequests: 2,
      connectTimeoutMs: 5_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 2,
      defaultHeaders: { 'OData-Version': '4.0' },
      authenticate: () => ({ authorization: basic }),
      linkPathPrefixes: ['/redfish/v1/'],
      readErrorAnswer: readRedfishError,
      secrets: [credentials.password],
    });
  }

  async system(): Promise<RedfishSystem> {
    return (await this.transport.request<RedfishSystem>({ method: 'GET', path: this.address.systemPath }))
      .body;
  }

  /** The host's network interfaces with a MAC address. */
  async nics(system: RedfishSystem): Promise<{ name?: string; mac: string }[]> {
    const link = system.EthernetInterfaces?.['@odata.id'];
    if (!link) return [];
    const nics: { name?: string; mac: string }[] = [];
    for (const member of await this.members(link)) {
      const nic = (
        await this.transport.request<{
          Id?: string;
          Name?: string;
          MACAddress?: string;
          PermanentMACAddress?: string;
        }>({
          method: 'GET',
          link: member,
        })
      ).body;
      const mac = nic.MACAddress ?? nic.PermanentMACAddress;
      if (mac) nics.push({ ...(nic.Id ? { name: nic.Id } : {}), mac: mac.toLowerCase() });
    }
    return nics;
  }

  /**
   * The virtual media device that takes a CD (or DVD) image: the system's own VirtualMedia
   * collection (Redfish 1.13 on), else that of the manager that manages it (older BMCs).
   */
  async cdDevice(system: RedfishSystem): Promise<RedfishVirtualMedia | undefined> {
    const collections: string[] = [];
    const own = system.VirtualMedia?.['@odata.id'];
    if (own) collections.push(own);
    else
      for (const manager of system.Links?.ManagedBy ?? []) {
        const link = manager['@odata.id'];
        if (!link) continue;
        const body = (
          await this.transport.request<{ VirtualMedia?: { '@odata.id'?: string } }>({ method: 'GET', link })
        ).body;
        const media = body.VirtualMedia?.['@odata.id'];
        if (media) collections.push(media);
      }
    for (const collection of collections)
      for (const member of await this.members(collection)) {
        const device = (await this.transport.request<RedfishVirtualMedia>({ method: 'GET', link: member }))
          .body;
        const types = device.MediaTypes ?? [];
        if (types.includes('CD') || types.includes('DVD')) return { ...device, '@odata.id': member };
      }
    return undefined;
  }

  async insertMedia(device: RedfishVirtualMedia, image: string): Promise<void> {
    const target =
      device.Actions?.['#VirtualMedia.InsertMedia']?.target ??
      `${device['@odata.id']}/Actions/VirtualMedia.InsertMedia`;
    await this.transport.request({
      method: 'POST',
      link: target,
      body: { Image: image, Inserted: true, WriteProtected: true },
      // The BMC downloads the image before it answers.
      timeoutMs: 300_000,
      operation: 'POST VirtualMedia.InsertMedia',
    });
  }

  async ejectMedia(device: RedfishVirtualMedia): Promise<void> {
    const target =
      device.Actions?.['#VirtualMedia.EjectMedia']?.target ??
      `${device['@odata.id']}/Actions/VirtualMedia.EjectMedia`;
    await this.transport.request({
      method: 'POST',
      link: target,
      body: {},
      operation: 'POST VirtualMedia.EjectMedia',
    });
  }

  /** Boots from the virtual CD on the next boot only. */
  async bootOnceFromCd(): Promise<void> {
    await this.transport.request({
      method: 'PATCH',
      path: this.address.systemPath,
      body: { Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once' } },
      idempotent: true,
      operation: 'PATCH ComputerSystem Boot',
    });
  }

  /** `On`, or `ForceRestart` for a host that is on already (so it boots the override now). */
  async reset(resetType: 'On' | 'ForceRestart' | 'ForceOff'): Promise<void> {
    await this.transport.request({
      method: 'POST',
      path: `${this.address.systemPath}/Actions/ComputerSystem.Reset`,
      body: { ResetType: resetType },
      operation: `POST ComputerSystem.Reset ${resetType}`,
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async members(link: string): Promise<string[]> {
    const body = (await this.transport.request<Collection>({ method: 'GET', link })).body;
    return (body.Members ?? []).map((member) => member['@odata.id']).filter((id): id is string => !!id);
  }
}

/** The hardware facts of a system and its NICs, leaving out what the BMC does not say. */
export function hardwareOf(system: RedfishSystem, nics: { name?: string; mac: string }[]): HardwareDetails {
  const cpu = {
    ...(system.ProcessorSummary?.Count !== undefined ? { count: system.ProcessorSummary.Count } : {}),
    ...(system.ProcessorSummary?.Model ? { model: system.ProcessorSummary.Model } : {}),
  };
  return {
    ...(system.Manufacturer ? { manufacturer: system.Manufacturer } : {}),
    ...(system.Model ? { model: system.Model } : {}),
    ...(system.SerialNumber ? { serialNumber: system.SerialNumber } : {}),
    ...(system.UUID ? { systemUUID: system.UUID.toLowerCase() } : {}),
    ...(system.BiosVersion ? { biosVersion: system.BiosVersion } : {}),
    ...(Object.keys(cpu).length > 0 ? { cpu } : {}),
    ...(system.MemorySummary?.TotalSystemMemoryGiB !== undefined
      ? { memoryGiB: system.MemorySummary.TotalSystemMemoryGiB }
      : {}),
    ...(nics.length > 0 ? { nics } : {}),
  };
}
