import { gunzipSync } from 'node:zlib';
import { parse, parseAllDocuments } from 'yaml';

/** The files a node's bootstrap data writes, by path. */
export type BootstrapFiles = ReadonlyMap<string, string>;

interface IgnitionFile {
  path: string;
  contents?: { source?: string; compression?: string };
}

function decodeDataUrl(source: string, compression?: string): string {
  const match = /^data:([^,]*),(.*)$/s.exec(source);
  if (!match) throw new Error(`unsupported Ignition file source ${source.slice(0, 40)}`);
  const [, meta = '', payload = ''] = match;
  let bytes = meta.endsWith(';base64')
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload));
  if (compression === 'gzip') bytes = gunzipSync(bytes);
  return bytes.toString('utf8');
}

/**
 * The files in bootstrap data as Cluster API's kubeadm bootstrap provider
 * renders it: Ignition JSON (`format: ignition`) or cloud-config YAML
 * (`write_files`).
 */
export function bootstrapFiles(value: string, format: string | undefined): BootstrapFiles {
  const files = new Map<string, string>();
  if (format === 'ignition' || value.trimStart().startsWith('{')) {
    const ignition = JSON.parse(value) as { storage?: { files?: IgnitionFile[] } };
    for (const file of ignition.storage?.files ?? []) {
      if (file.contents?.source !== undefined) {
        files.set(file.path, decodeDataUrl(file.contents.source, file.contents.compression));
      }
    }
    return files;
  }
  const cloudConfig = (parse(value) ?? {}) as {
    write_files?: { path: string; content?: string; encoding?: string }[];
  };
  for (const file of cloudConfig.write_files ?? []) {
    let content = file.content ?? '';
    if (file.encoding === 'base64' || file.encoding === 'b64')
      content = Buffer.from(content, 'base64').toString();
    if (file.encoding === 'gzip+base64' || file.encoding === 'gz+b64') {
      content = gunzipSync(Buffer.from(content, 'base64')).toString();
    }
    files.set(file.path, content);
  }
  return files;
}

/** kubeadm's configuration documents (InitConfiguration, ClusterConfiguration, JoinConfiguration). */
export interface KubeadmDocuments {
  init?: KubeadmNodeConfiguration | undefined;
  join?:
    | (KubeadmNodeConfiguration & {
        discovery?: { bootstrapToken?: { token?: string; apiServerEndpoint?: string } };
        controlPlane?: unknown;
      })
    | undefined;
  cluster?: (Record<string, unknown> & { kubernetesVersion?: string; imageRepository?: string }) | undefined;
  /** The ClusterConfiguration document as written, for the kubeadm-config ConfigMap. */
  clusterYaml?: string;
}

export interface KubeadmNodeConfiguration {
  nodeRegistration?: {
    name?: string;
    kubeletExtraArgs?: Record<string, string> | { name: string; value: string }[];
    taints?: { key: string; value?: string; effect: string }[] | null;
  };
}

// Where the kubeadm bootstrap provider writes the configuration: cloud-init's init and
// join files, and the one file of its Ignition (CLC) template.
const KUBEADM_CONFIG_PATHS = [
  '/run/kubeadm/kubeadm.yaml',
  '/run/kubeadm/kubeadm-join-config.yaml',
  '/etc/kubeadm.yml',
];

/** The kubeadm configuration that `kubeadm init` or `kubeadm join` would read. */
export function kubeadmDocuments(files: BootstrapFiles): KubeadmDocuments {
  const text = KUBEADM_CONFIG_PATHS.map((path) => files.get(path)).find((t) => t !== undefined);
  if (text === undefined)
    throw new Error(`bootstrap data has no kubeadm configuration (${KUBEADM_CONFIG_PATHS.join(', ')})`);
  const result: KubeadmDocuments = {};
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind?: string } | null;
    if (object?.kind === 'InitConfiguration') result.init = object as KubeadmNodeConfiguration;
    if (object?.kind === 'JoinConfiguration') result.join = object as KubeadmDocuments['join'];
    if (object?.kind === 'ClusterConfiguration') {
      result.cluster = object as KubeadmDocuments['cluster'];
      result.clusterYaml = doc.toString();
    }
  }
  return result;
}

/** A kubelet flag from nodeRegistration.kubeletExtraArgs (map in v1beta3, list in v1beta4). */
export function kubeletArg(config: KubeadmNodeConfiguration | undefined, name: string): string | undefined {
  const args = config?.nodeRegistration?.kubeletExtraArgs;
  if (Array.isArray(args)) return args.find((a) => a.name === name)?.value;
  return args?.[name];
}

/** PEM files of the cluster's certificate authorities, as kubeadm finds them under /etc/kubernetes/pki. */
export function pkiFile(files: BootstrapFiles, name: string): string | undefined {
  return files.get(`/etc/kubernetes/pki/${name}`);
}

/**
 * The user data cloud-init ends up with: a `#include` part (one URL a line, as a provider gives
 * when the real data is kept in object storage) is replaced by what its URLs answer, fetched once,
 * as cloud-init does at first boot; any other user data is itself.
 */
export async function includedUserData(
  userData: string,
  fetchText: (url: string) => Promise<string>,
): Promise<string> {
  const [first, ...lines] = userData.split('\n');
  if (first?.trim() !== '#include') return userData;
  const urls = lines.map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const parts = await Promise.all(urls.map(fetchText));
  return parts.join('\n');
}
