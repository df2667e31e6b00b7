import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';

/** Where Cluster API's kubeadm bootstrap provider writes the kubeadm configuration in its cloud-config. */
export const KUBEADM_CONFIG_PATH = '/run/kubeadm/kubeadm.yaml';
/** The CRI socket a node registers with when its configuration names none: containerd's. */
export const DEFAULT_CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

type KubeletArgs = Record<string, string> | { name: string; value: string }[];

/**
 * A kubeadm configuration (every document of it) with the kubelet's `provider-id` set and the CRI
 * socket filled when unset, in each InitConfiguration's and JoinConfiguration's nodeRegistration:
 * kubeletExtraArgs as a map (v1beta3) or a list of name/value pairs (v1beta4). For a platform whose
 * nodes cannot learn their provider ID from a cloud provider; everything else stays as written.
 */
export function kubeadmConfigWithProviderId(text: string, providerID: string): string {
  const out: string[] = [];
  for (const document of parseAllDocuments(text)) {
    const object = document.toJS() as {
      kind?: string;
      nodeRegistration?: { criSocket?: string; kubeletExtraArgs?: KubeletArgs };
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

/**
 * A cloud-config (its `#cloud-config` header line kept) with the kubeadm configuration it writes
 * (`KUBEADM_CONFIG_PATH`, plain text only) given the provider ID by `kubeadmConfigWithProviderId`.
 */
export function cloudConfigWithProviderId(cloudConfig: string, providerID: string): string {
  const newline = cloudConfig.indexOf('\n');
  const header = cloudConfig.slice(0, newline);
  const config = (parseYaml(cloudConfig.slice(newline + 1)) ?? {}) as {
    write_files?: { path?: string; content?: string; encoding?: string }[];
  };
  for (const file of config.write_files ?? []) {
    if (file.path !== KUBEADM_CONFIG_PATH || typeof file.content !== 'string' || file.encoding) continue;
    file.content = kubeadmConfigWithProviderId(file.content, providerID);
  }
  return `${header}\n${stringify(config)}`;
}
