import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { ObservedNetwork } from './machine-inventory.js';

/** The plans the provider writes: attach a host as a node, detach it, prepare and release its data volumes. */
export type PlanType = 'reprovision' | 'clean' | 'storage-prepare' | 'storage-release';

/** A plan in elemental-system-agent's format (rancher system-agent): files to write, commands to run. */
export interface SystemAgentPlan {
  files: { path: string; content: string; permissions: string }[];
  instructions: { name: string; command: string; args: string[] }[];
}

const NOCLOUD_SEED = '/var/lib/cloud/seed/nocloud';
const CLEANUP_MARKER = '/var/lib/elemental/.reprovision-cleanup';
const b64 = (text: string) => Buffer.from(text).toString('base64');
/** The hex sha256 of a text: plan checksums, as the agent computes them, and the ids derived from them. */
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The plan text the agent reads and its sha256, which the agent reports back. */
export function serializePlan(plan: SystemAgentPlan): { text: string; checksum: string } {
  const text = JSON.stringify(plan);
  return { text, checksum: sha256(text) };
}

export interface ReprovisionInput {
  /** The elemental upgrade image for the Machine's Kubernetes version. */
  image: string;
  hostname: string;
  /** The normalised cloud-config user data. */
  userData: string;
  /** cloud-init network-config v2, when the host's network is to be replayed. */
  networkConfig?: string | undefined;
  instanceId: string;
}

/**
 * The reprovision plan: NoCloud seed files (user-data, meta-data, network-config), a cleanup
 * marker for the initramfs, `cloud-init clean`, `elemental upgrade` to the version's image and a
 * delayed reboot, after which cloud-init runs kubeadm. Deterministic: the same input gives the same
 * checksum, so a re-run after a crash writes nothing new.
 */
export function reprovisionPlan(input: ReprovisionInput): SystemAgentPlan {
  const files = [
    { path: `${NOCLOUD_SEED}/user-data`, content: b64(input.userData), permissions: '0600' },
    {
      path: `${NOCLOUD_SEED}/meta-data`,
      content: b64(stringify({ 'instance-id': input.instanceId, 'local-hostname': input.hostname })),
      permissions: '0600',
    },
    ...(input.networkConfig
      ? [{ path: `${NOCLOUD_SEED}/network-config`, content: b64(input.networkConfig), permissions: '0600' }]
      : []),
    { path: CLEANUP_MARKER, content: b64('kubelet containerd etcd kubernetes\n'), permissions: '0600' },
  ];
  return {
    files,
    instructions: [
      { name: 'cloud-init-clean', command: 'cloud-init', args: ['clean', '--logs', '--seed'] },
      {
        name: 'elemental-upgrade',
        command: 'elemental',
        args: ['upgrade', '--reboot=false', '--system', input.image],
      },
      { name: 'reboot', command: 'systemd-run', args: ['--on-active=10', 'systemctl', 'reboot'] },
    ],
  };
}

/** The clean plan: kubelet stopped, CRI workload removed, containerd stopped; no reset, no reboot. */
export function cleanPlan(): SystemAgentPlan {
  return {
    files: [],
    instructions: [
      { name: 'stop-kubelet', command: 'systemctl', args: ['stop', 'kubelet'] },
      {
        name: 'remove-cri-workload',
        command: '/bin/sh',
        args: ['-c', 'crictl rmp --all --force || true'],
      },
      { name: 'stop-containerd', command: 'systemctl', args: ['stop', 'containerd'] },
    ],
  };
}

/**
 * cloud-init network-config v2 (the netplan subset) from what elemental-register observed on the
 * live ISO, so the host keeps its address, default route and DNS across reprovisions. Undefined
 * when nothing was observed.
 */
export function networkConfigFromObserved(observed: ObservedNetwork | undefined): string | undefined {
  const interfaces = (observed?.interfaces ?? []).filter((nic) => (nic.addresses ?? []).length > 0);
  if (interfaces.length === 0) return undefined;
  const ethernets: Record<string, Record<string, unknown>> = {};
  for (const nic of interfaces) {
    const routes = (observed?.routes ?? [])
      .filter((route) => route.interface === nic.name || (!route.interface && interfaces[0] === nic))
      .map((route) => ({
        to: route.destination === '0.0.0.0/0' ? 'default' : route.destination,
        ...(route.gateway ? { via: route.gateway } : {}),
        ...(route.metric !== undefined ? { metric: route.metric } : {}),
      }));
    ethernets[nic.name] = {
      ...(nic.mac ? { match: { macaddress: nic.mac }, 'set-name': nic.name } : {}),
      dhcp4: false,
      addresses: nic.addresses,
      ...(nic.mtu ? { mtu: nic.mtu } : {}),
      ...(routes.length > 0 ? { routes } : {}),
      ...(observed?.dnsServers?.length
        ? {
            nameservers: {
              addresses: observed.dnsServers,
              ...(observed.searchDomains?.length ? { search: observed.searchDomains } : {}),
            },
          }
        : {}),
    };
  }
  return stringify({ version: 2, ethernets });
}
