import type { FieldProblem } from '@immutable-infra/core';
import { credentialNameProblems, parseIpv4, sameSubnet } from '@immutable-infra/ui-kit';
import { DNS1123_SUBDOMAIN } from '../../api/common.js';
import {
  type VSphereMachineConfigPoolObject,
  VSphereMachineConfigPoolSpec,
} from '../../api/vsphere-machine-config-pool.js';

type PoolSpec = VSphereMachineConfigPoolObject['spec'];
type Slot = PoolSpec['configs'][number];

/** One slot as the form edits it: the node's name and its primary NIC (network and static address). */
export interface SlotDraft {
  hostname: string;
  networkName: string;
  /** `10.10.10.11/24`: the address with its prefix length. */
  ip: string;
  gateway: string;
  /** DNS servers, comma or space separated. */
  dns: string;
}

export interface PoolDraft {
  name: string;
  /** The Cluster whose VSphereCluster gives the vCenter and its credential. */
  clusterName: string;
  datacenter: string;
  /** NaN when empty: 24 hours. */
  releaseDelayHours: number;
  slots: SlotDraft[];
}

export const emptySlot = (): SlotDraft => ({ hostname: '', networkName: '', ip: '', gateway: '', dns: '' });

const dnsList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/**
 * The pool's spec: the form's fields over the stored spec, so what the form
 * does not show (a slot's persistent disks and further NICs, written
 * disk UUIDs) stays with the slot of the same hostname.
 */
export function poolSpecOf(draft: PoolDraft, stored?: PoolSpec): PoolSpec {
  const before = new Map((stored?.configs ?? []).map((slot) => [slot.hostname, slot]));
  const configs = draft.slots.map((slot): Slot => {
    const kept = before.get(slot.hostname);
    const primary = {
      ...(kept?.network?.primary ?? {}),
      networkName: slot.networkName,
      ...(slot.ip ? { ip: slot.ip } : {}),
      ...(slot.gateway ? { gateway: slot.gateway } : {}),
      ...(slot.dns ? { dns: dnsList(slot.dns) } : {}),
    };
    if (!slot.ip) delete primary.ip;
    if (!slot.gateway) delete primary.gateway;
    if (!slot.dns) delete primary.dns;
    return { ...(kept ?? {}), hostname: slot.hostname, network: { ...(kept?.network ?? {}), primary } };
  });
  return {
    ...(stored ?? {}),
    clusterRef: { ...(stored?.clusterRef ?? {}), name: draft.clusterName },
    ...(draft.datacenter ? { datacenter: draft.datacenter } : {}),
    ...(Number.isNaN(draft.releaseDelayHours) ? {} : { releaseDelayHours: draft.releaseDelayHours }),
    configs,
  } as PoolSpec;
}

/** A stored pool back as the form's draft. */
export function poolDraftOf(name: string, spec: Partial<PoolSpec>): PoolDraft {
  return {
    name,
    clusterName: spec.clusterRef?.name ?? '',
    datacenter: spec.datacenter ?? '',
    releaseDelayHours: spec.releaseDelayHours ?? Number.NaN,
    slots: (spec.configs ?? []).map((slot) => {
      const primary = slot.network?.primary;
      return {
        hostname: slot.hostname,
        networkName: primary?.networkName ?? '',
        ip: primary?.ip ?? '',
        gateway: primary?.gateway ?? '',
        dns: (primary?.dns ?? []).join(', '),
      };
    }),
  };
}

/** `10.10.10.11/24` as its address and prefix length, or undefined. */
function addressWithPrefix(text: string): { address: number; prefix: number } | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const address = match?.[1] === undefined ? undefined : parseIpv4(match[1]);
  const prefix = Number(match?.[2]);
  return address === undefined || !(prefix >= 0 && prefix <= 32) ? undefined : { address, prefix };
}

/**
 * The pool's rules, each problem at its field (`slots.2.gateway`): a name, a
 * cluster, at least one slot, unique DNS-1123 hostnames, a network per slot, an
 * address with its prefix length, a gateway inside that network, at most three
 * DNS servers. Then whatever else the VSphereMachineConfigPool schema refuses.
 */
export function validatePool(draft: PoolDraft, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = creating ? credentialNameProblems(draft.name) : [];
  const add = (field: string, message: string) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message });
  };
  if (!draft.clusterName) add('clusterName', 'the Cluster whose vCenter the slots are in is required');
  if (
    !Number.isNaN(draft.releaseDelayHours) &&
    !(Number.isInteger(draft.releaseDelayHours) && draft.releaseDelayHours >= 0)
  )
    add('releaseDelayHours', 'a whole number of hours, 0 or more (empty: 24)');
  if (draft.slots.length === 0) add('slots', 'a pool needs at least one slot');
  const seen = new Set<string>();
  draft.slots.forEach((slot, i) => {
    const at = (field: string) => `slots.${i}.${field}`;
    if (!slot.hostname) add(at('hostname'), 'the hostname is required');
    else if (!DNS1123_SUBDOMAIN.test(slot.hostname) || slot.hostname.length > 253)
      add(at('hostname'), 'lowercase letters, digits and hyphens in dot-separated labels (DNS-1123)');
    else if (seen.has(slot.hostname)) add(at('hostname'), `${slot.hostname} is already a slot of this pool`);
    seen.add(slot.hostname);
    if (!slot.networkName) add(at('networkName'), 'choose the network of the node’s first NIC');
    const ip = slot.ip ? addressWithPrefix(slot.ip) : undefined;
    if (slot.ip && !ip) add(at('ip'), 'an IPv4 address with its prefix length, e.g. 10.10.10.11/24');
    if (slot.gateway) {
      const gateway = parseIpv4(slot.gateway);
      if (gateway === undefined) add(at('gateway'), 'an IPv4 address');
      else if (!slot.ip) add(at('gateway'), 'a gateway needs the slot’s address');
      else if (ip && !sameSubnet(gateway, ip.address, ip.prefix))
        add(at('gateway'), `not in the network of ${slot.ip}`);
    }
    const dns = dnsList(slot.dns);
    if (dns.some((server) => parseIpv4(server) === undefined))
      add(at('dns'), 'IPv4 addresses, comma separated');
    else if (dns.length > 3) add(at('dns'), 'at most 3 DNS servers');
  });
  if (problems.length > 0) return problems;
  const parsed = VSphereMachineConfigPoolSpec.safeParse(poolSpecOf(draft));
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      // The schema's configs.N.network.primary.X is the form's slots.N.X.
      const field = issue.path
        .join('.')
        .replace(/^configs\.(\d+)\.network\.primary\./, 'slots.$1.')
        .replace(/^configs/, 'slots');
      add(field || '(form)', issue.message);
    }
  return problems;
}
