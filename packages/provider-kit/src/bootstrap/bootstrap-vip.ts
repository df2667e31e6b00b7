import { gunzipSync } from 'node:zlib';
import type { BootstrapData } from '@immutable-infra/core';
import type { GuestFile } from './cloud-init.js';
import type { IgnitionUnit } from './ignition.js';

/**
 * The first half of a self-built control plane VIP (`controlPlaneLoadBalancer.type: internal`), the
 * same on every platform: the node that runs `kubeadm init` holds `<vip>/32` from before kubeadm
 * starts, so the API server answers at the endpoint it certifies and the other nodes join through
 * it, until alive (the second half, see alive-module.ts) takes the VIP over with keepalived.
 */

function decodedContents(source: string, compression: string | undefined): string {
  const match = /^data:([^,]*),(.*)$/s.exec(source);
  if (!match) return '';
  const [, meta = '', payload = ''] = match;
  let bytes = meta.split(';').includes('base64')
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload), 'utf8');
  if (compression === 'gzip') bytes = gunzipSync(bytes);
  return bytes.toString('utf8');
}

/**
 * Whether the bootstrap data runs `kubeadm init` (it carries an InitConfiguration): the cluster's
 * first control plane node. A joining node carries a JoinConfiguration instead.
 */
export function runsKubeadmInit(data: BootstrapData): boolean {
  if (data.format !== 'ignition') return /kind:\s*InitConfiguration/.test(data.value);
  const config = JSON.parse(data.value) as {
    storage?: { files?: { contents?: { source?: string; compression?: string } }[] };
  };
  return (config.storage?.files ?? []).some((file) =>
    /kind:\s*InitConfiguration/.test(
      file.contents?.source ? decodedContents(file.contents.source, file.contents.compression) : '',
    ),
  );
}

export interface BootstrapVipInput {
  /** The unit's name, as the platform's documentation names it (e.g. `dcs-bootstrap-vip.service`). */
  name: string;
  /** The IPv4 VIP (`controlPlaneLoadBalancer.host`). */
  vip: string;
  /** The node's IP: the VIP goes on the interface that holds it when no interface is named. */
  nodeIp?: string | undefined;
  /** `controlPlaneLoadBalancer.interface`: the NIC to hold the VIP on, else found from the node IP. */
  interfaceName?: string | undefined;
  /**
   * Start the unit on every boot (an `[Install]` section, for Ignition, which enables units), or
   * only when started explicitly: then a reboot never brings the VIP back beside keepalived's.
   */
  startAtBoot: boolean;
}

/**
 * The systemd unit that puts the VIP on the node, once, before kubelet and kubeadm. Without a named
 * interface it takes the one holding the node IP, else the one of the default route (a DHCP node).
 */
export function bootstrapVipUnit(input: BootstrapVipInput): IgnitionUnit {
  // systemd reads $$ as $: the interface is found when the unit runs, once the network is up.
  const device =
    input.interfaceName ||
    (input.nodeIp
      ? `$$(ip -o -4 addr show to ${input.nodeIp}/32 | cut -d' ' -f2)`
      : `$$(ip -o -4 route show default | cut -d' ' -f5)`);
  return {
    name: input.name,
    contents: [
      '[Unit]',
      'Description=Self-built VIP on the first control plane node until alive takes it over',
      'Wants=network-online.target',
      'After=network-online.target',
      'Before=kubelet.service kubeadm.service',
      '',
      '[Service]',
      'Type=oneshot',
      'RemainAfterExit=yes',
      `ExecStart=/bin/sh -c "ip addr replace ${input.vip}/32 dev ${device}"`,
      '',
      ...(input.startAtBoot ? ['[Install]', 'WantedBy=multi-user.target', ''] : []),
    ].join('\n'),
  };
}

/** What cloud-init adds for the bootstrap VIP: the unit's file, and the command that starts it first. */
export interface CloudInitBootstrapVip {
  files: GuestFile[];
  /** For composeCloudInit's `runFirst`: ahead of kubeadm, and a failure stops kubeadm from running. */
  runFirst: string[];
}

/**
 * The bootstrap VIP for a cloud-init node: the unit written (never enabled, so no reboot brings it
 * back) and started by the first `runcmd` entry. cloud-init runs all of `runcmd` as one script, so
 * the entry's `exit 1` ends it before `kubeadm init`: a node that cannot hold its VIP never
 * initializes a control plane nobody can reach, and its Machine never reports bootstrapped.
 */
export function cloudInitBootstrapVip(input: Omit<BootstrapVipInput, 'startAtBoot'>): CloudInitBootstrapVip {
  const unit = bootstrapVipUnit({ ...input, startAtBoot: false });
  return {
    files: [{ path: `/etc/systemd/system/${unit.name}`, content: unit.contents, permissions: '0644' }],
    runFirst: [`systemctl daemon-reload && systemctl start ${unit.name} || exit 1`],
  };
}
