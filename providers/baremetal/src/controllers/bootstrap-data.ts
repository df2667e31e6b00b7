import type { BootstrapData } from '@immutable-infra/core';
import { type CloudInitBootstrapVip, composeCloudInit } from '@immutable-infra/provider-kit';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';

/** Where Cluster API's kubeadm bootstrap provider writes the kubeadm configuration in its cloud-config. */
const KUBEADM_CONFIG_PATH = '/run/kubeadm/kubeadm.yaml';
export const DEFAULT_CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

/**
 * The Machine's cloud-config made fit for this host: its hostname, the kubelet's provider-id
 * (`baremetal:///<inventory>`, also for the PROVIDER_ID token) and the CRI socket when unset, in
 * every Init/JoinConfiguration of the kubeadm file; on the first control plane node of an Internal
 * VIP, the VIP's unit, started ahead of kubeadm. What the user set otherwise stays.
 */
export function normaliseBootstrap(
  data: BootstrapData,
  host: { hostname: string; providerID: string; bootstrapVip?: CloudInitBootstrapVip | undefined },
): string {
  const composed = composeCloudInit(data, {
    hostname: host.hostname,
    disks: [],
    tokens: { PROVIDER_ID: host.providerID },
    ...(host.bootstrapVip ? { files: host.bootstrapVip.files, runFirst: host.bootstrapVip.runFirst } : {}),
  });
  const newline = composed.indexOf('\n');
  const header = composed.slice(0, newline);
  const config = (parseYaml(composed.slice(newline + 1)) ?? {}) as {
    write_files?: { path?: string; content?: string; encoding?: string }[];
  };
  for (const file of config.write_files ?? []) {
    if (file.path !== KUBEADM_CONFIG_PATH || typeof file.content !== 'string' || file.encoding) continue;
    file.content = normaliseKubeadmConfig(file.content, host.providerID);
  }
  return `${header}\n${stringify(config)}`;
}

type Args = Record<string, string> | { name: string; value: string }[];

/** provider-id and criSocket set in each Init/JoinConfiguration's nodeRegistration (v1beta3 maps, v1beta4 lists). */
export function normaliseKubeadmConfig(text: string, providerID: string): string {
  const documents = parseAllDocuments(text);
  const out: string[] = [];
  for (const document of documents) {
    const object = document.toJS() as {
      kind?: string;
      nodeRegistration?: { criSocket?: string; kubeletExtraArgs?: Args };
    } | null;
    if (object && (object.kind === 'InitConfiguration' || object.kind === 'JoinConfiguration')) {
      const registration = object.nodeRegistration ?? {};
      registration.criSocket ||= DEFAULT_CRI_SOCKET;
      const args = registration.kubeletExtraArgs;
      if (Array.isArray(args)) {
        registration.kubeletExtraArgs = [
          ...args.filter((arg) => arg.name !== 'provider-id'),
          { name: 'provider-id', value: providerID },
        ];
      } else registration.kubeletExtraArgs = { ...(args ?? {}), 'provider-id': providerID };
      object.nodeRegistration = registration;
    }
    out.push(stringify(object));
  }
  return out.join('---\n');
}
